import { describe, expect, it } from 'vitest';
import { applyPolicy, DEFAULT_PII_POLICY, PiiVault, scanPii } from '../src/index.js';
import { luhn, validCnResidentId, validIban, validSsn, verhoeff } from '../src/pii/validators.js';

const types = (text: string) => scanPii(text).map((m) => `${m.type}:${m.value}`);

describe('detectors validate, not only match', () => {
  it('email', () => {
    expect(types('Write to jane.doe+news@mail.example.co.uk today.')).toEqual([
      'email:jane.doe+news@mail.example.co.uk',
    ]);
    expect(types('not@an-email, a@b.c, foo@bar..com, @handle, x@.com')).toEqual([]);
  });
  it('phone: international and common national formats', () => {
    expect(types('Call +44 20 7946 0958 or +1 (415) 555-2671.')).toEqual([
      'phone:+44 20 7946 0958',
      'phone:+1 (415) 555-2671',
    ]);
    expect(types('US: (415) 555-2671, 415-555-2671, 415.555.2671')).toHaveLength(3);
    expect(types('FR 01 23 45 67 89, UK 020 7946 0958, DE 030 12345678')).toHaveLength(3);
    expect(types('Order 1234567, year 2024-01-15, version 10.2.3, 111-111-1111, zip 94103')).toEqual([]);
  });
  it('payment cards with Luhn and known networks', () => {
    expect(types('Visa 4111 1111 1111 1111, MC 5555-5555-5555-4444, Amex 378282246310005')).toEqual([
      'card:4111 1111 1111 1111',
      'card:5555-5555-5555-4444',
      'card:378282246310005',
    ]);
    expect(types('Bad 4111 1111 1111 1112 and 1234 5678 9012 3456')).toEqual([]);
    expect(luhn('79927398713')).toBe(true);
    expect(luhn('79927398710')).toBe(false);
  });
  it('IBAN with mod 97 and country length', () => {
    expect(types('Pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000.')).toEqual([
      'iban:GB82 WEST 1234 5698 7654 32',
      'iban:DE89370400440532013000',
    ]);
    expect(types('GB82 WEST 1234 5698 7654 33 and DE89370400440532013001')).toEqual([]);
    expect(validIban('FR1420041010050500013M02606')).toBe(true);
  });
  it('US SSN with valid areas and groups', () => {
    expect(types('SSN 123-45-6789.')).toEqual(['ssn:123-45-6789']);
    expect(types('000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000')).toEqual([]);
    expect(validSsn('078', '05', '1120')).toBe(true);
  });
  it('national identity numbers by their check characters, in Chinese text too', () => {
    const kinds = (text: string) => scanPii(text).map((m) => `${m.kind}:${m.value}`);
    // The examples of the standards and registries themselves.
    expect(kinds('身份证号码：11010519491231002X，请核对。')).toEqual(['cn_resident_id:11010519491231002X']);
    expect(kinds('我的身份证110101199003077774。')).toEqual(['cn_resident_id:110101199003077774']);
    expect(kinds('身份证 110105 19491231 002X')).toEqual(['cn_resident_id:110105 19491231 002X']);
    // Eighteen digits that are not one: a timestamp, a bank card's length, a Chinese mobile and more.
    const ids = (text: string) => scanPii(text).filter((m) => m.type === 'national_id');
    expect(ids('订单 201905201314520000，卡号 6222021234567890123，手机 13812345678，日期 20240115')).toEqual(
      [],
    );
    expect(kinds('DNI 12345678Z, NIE X1234567L')).toEqual(['es_dni:12345678Z', 'es_nie:X1234567L']);
    expect(kinds('Codice fiscale: RSSMRA85T10A562S.')).toEqual(['it_codice_fiscale:RSSMRA85T10A562S']);
    expect(kinds('CPF 529.982.247-25')).toEqual(['br_cpf:529.982.247-25']);
    expect(kinds('Aadhaar 2341 2341 2346, आधार: 234123412346')).toEqual([
      'in_aadhaar:2341 2341 2346',
      'in_aadhaar:234123412346',
    ]);
    // Without the word, a 12-digit number whose Verhoeff digit checks is no more than a number (a SKU).
    expect(kinds('SKU 2341-2341-2346')).toEqual([]);
    expect(kinds('NIR 1 85 05 78 006 084 91 et 185057800608491')).toEqual([
      'fr_nir:1 85 05 78 006 084 91',
      'fr_nir:185057800608491',
    ]);
    // A wrong check character, an impossible birth date, a number of one repeated digit: none.
    expect(
      kinds(
        '110101199003077777 110105194902301236 12345678A X1234567A RSSMRA85T10A562A 529.982.247-24 111.111.111-11 2341 2341 2347 1 85 05 78 006 084 36',
      ),
    ).toEqual([]);
    // Redacted by default, as the other government numbers are.
    const found = scanPii('身份证11010519491231002X');
    expect(applyPolicy('身份证11010519491231002X', found, DEFAULT_PII_POLICY, new PiiVault()).text).toBe(
      '身份证[NATIONAL_ID]',
    );
    expect(validCnResidentId('440524188001010014')).toBe(true);
    expect(verhoeff('2363')).toBe(true);
    expect(verhoeff('2364')).toBe(false);
  });
  it('IPv4 and IPv6', () => {
    expect(types('from 192.168.1.20 and 2001:db8:85a3::8a2e:370:7334 and ::1')).toEqual([
      'ipv4:192.168.1.20',
      'ipv6:2001:db8:85a3::8a2e:370:7334',
      'ipv6:::1',
    ]);
    expect(
      types('version 1.2.3.4.5, 256.1.1.1, 01.2.3.4, time 12:30:45, a::b is not, build 1.8.1.59'),
    ).toEqual([]);
  });
  it('secrets: OpenAI, Anthropic, AWS, GitHub, Slack keys, private keys, JWTs', () => {
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890"}').toString('base64url')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    const text = [
      'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
      'sk-ant-api03-AbCdEf0123456789AbCdEf0123456789',
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_1234567890abcdefghijABCDEFGHIJ123456',
      'xoxb-123456789012-abcdefABCDEF',
      jwt,
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
    ].join(' | ');
    expect(scanPii(text).map((m) => m.kind)).toEqual([
      'openai',
      'anthropic',
      'aws',
      'github',
      'slack',
      'jwt',
      'private_key',
    ]);
    expect(types('sk-short, AKIA1234, ghp_short, eyJhbGciOi.eyJzdWIi.sig, task-force-1')).toEqual([]);
  });
  it('secrets at the shortest length a pattern takes, in prose and between punctuation', () => {
    // A text is ruled out when it has no run of 15 token characters: these are exactly that long or just longer.
    expect(scanPii('my token is xoxb-1234567890, keep it').map((m) => m.value)).toEqual(['xoxb-1234567890']);
    expect(scanPii('(sk_live_1234567890)').map((m) => m.kind)).toEqual(['stripe']);
    expect(scanPii('Azure: abc1Q~abcdefghijklmnopqrstuvwxyz.-~ABCDE!').map((m) => m.kind)).toEqual(['azure']);
    expect(scanPii('"xoxb-1234567890"').map((m) => m.kind)).toEqual(['slack']);
    expect(scanPii('xoxb-123456789 is one short')).toEqual([]);
  });
});

describe('real-world formats', () => {
  it('national phone numbers without "+", with extensions, and a default region through libphonenumber', () => {
    expect(
      types(
        'ring 78 651 450, (37) 788-063, 9472 7916, 95-592-55-13, (06743) 3757809, 0719657900 or 13277761289',
      ),
    ).toEqual([
      'phone:78 651 450',
      'phone:(37) 788-063',
      'phone:9472 7916',
      'phone:95-592-55-13',
      'phone:(06743) 3757809',
      'phone:0719657900',
      'phone:13277761289',
    ]);
    expect(types('call 345-899-3560x4587 or 1-738-542-9615 ext. 72 or +46 (0)8 928 571 38')).toEqual([
      'phone:345-899-3560x4587',
      'phone:1-738-542-9615 ext. 72',
      'phone:+46 (0)8 928 571 38',
    ]);
    // Identifiers, dates and codes that look alike are not phone numbers.
    expect(
      types(
        'order #123456789, invoice 0719657900, SKU 7689-7270-1418, on 2024-05-01, 10.2.33.1, id fe30884b-2f1d-4063-9298-ca7e6789e976',
      ),
    ).toEqual(['ipv4:10.2.33.1']);
    expect(types('Japan 08939-9-8109, from abroad 002-21488064, mobile 082412762')).toEqual([
      'phone:08939-9-8109',
      'phone:002-21488064',
      'phone:082412762',
    ]);
    // Years: "The Age of Reason, 1794–1795" (an en dash) is a span of years.
    expect(types('Thomas Paine, The Age of Reason, 1794–1795. In office 2019 - 2024.')).toEqual([]);
    // The digits of an IBAN that fails its check are not a phone number either.
    expect(types('IBAN typo NL91 RABO 0417 1643 01')).toEqual([]);
    expect(types('call 4586720594')).toEqual([]);
    expect(scanPii('call 4586720594', { phoneRegion: 'US' }).map((m) => m.value)).toEqual(['4586720594']);
    expect(scanPii('order #4586720594', { phoneRegion: 'US' })).toEqual([]);
  });

  it('cards split by a line break, internationalised e-mail addresses, IBANs of newer registry countries', () => {
    expect(types('card 4111 1111\n1111 1111 ok')).toEqual(['card:4111 1111\n1111 1111']);
    expect(types('josé@bücher.de, 用户@例子.广告, a@b.xn--p1ai')).toEqual([
      'email:josé@bücher.de',
      'email:用户@例子.广告',
      'email:a@b.xn--p1ai',
    ]);
    expect(types('IR89 0060 0120 0282 3946 0559 82')).toEqual(['iban:IR89 0060 0120 0282 3946 0559 82']);
    // A one-letter top-level domain is no address; a two-letter one is.
    expect(types('x@y.z and x@y.co')).toEqual(['email:x@y.co']);
  });

  it('letters that fold to themselves and ones that do not, side by side: positions of the original', () => {
    const text = 'Grüße, 用户 ｊｏｈｎ@ｅｘａｍｐｌｅ.com und café 4111\u00a01111\u00a01111\u00a01111';
    const found = scanPii(text);
    expect(found.map((m) => [m.type, m.value])).toEqual([
      ['email', 'ｊｏｈｎ@ｅｘａｍｐｌｅ.com'],
      ['card', '4111\u00a01111\u00a01111\u00a01111'],
    ]);
    for (const m of found) expect(text.slice(m.start, m.end)).toBe(m.value);
  });

  it('secrets of many issuers, and credentials by where they stand', () => {
    const kinds = (t: string) => scanPii(t).map((m) => `${m.kind}:${m.value}`);
    expect(kinds('sk_live_4eC39HqLyjWDarjtT1zdp7dc')).toEqual(['stripe:sk_live_4eC39HqLyjWDarjtT1zdp7dc']);
    expect(kinds('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')).toHaveLength(1);
    expect(kinds('AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe')).toEqual([
      'google:AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
    ]);
    expect(kinds(`xapp-1-A0123456789-1234567890123-${'a'.repeat(64)}`)[0]).toMatch(/^slack:xapp-/);
    expect(kinds(`AccountKey=${'A'.repeat(86)}==;`)[0]).toMatch(/^azure:A{86}==$/);
    expect(kinds(`Endpoint=sb://x;SharedAccessKey=${'b'.repeat(43)}=`)[0]).toMatch(/^azure:b{43}=$/);
    expect(kinds(`SharedKey=${'b'.repeat(43)}=`)).toEqual([]);
    expect(kinds('glpat-abcdefghij0123456789 npm_abcdefghijklmnopqrstuvwxyz0123456789')).toEqual([
      'gitlab:glpat-abcdefghij0123456789',
      'npm:npm_abcdefghijklmnopqrstuvwxyz0123456789',
    ]);
    expect(kinds('curl -H "Authorization: Bearer abcdef123456.ghijkl" x')).toEqual([
      'authorization:abcdef123456.ghijkl',
    ]);
    expect(kinds('Cookie: theme=dark; sessionid=8f14e45fceea167a5a36dedd4bea2543; lang=en')).toEqual([
      'cookie:8f14e45fceea167a5a36dedd4bea2543',
    ]);
    expect(kinds('GET https://api.example.com/v1?user=3&access_token=ya29.a0AfH6SMBx3&x=1')).toEqual([
      'url_token:ya29.a0AfH6SMBx3',
    ]);
    expect(kinds('postgres://admin:s3cr3tP4ss@db.example.com:5432/app')).toEqual(['url_password:s3cr3tP4ss']);
    // Hard negatives: hashes, UUIDs, versions, ordinary cookies and URL parameters.
    expect(
      kinds(
        'sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, 123e4567-e89b-12d3-a456-426614174000, v1.2.3, Cookie: theme=dark; lang=en-GB, https://x.io/?page=12345678',
      ),
    ).toEqual([]);
  });
});

describe('overlaps, Unicode tricks and actions', () => {
  it('overlapping matches resolve to one, the higher priority first', () => {
    // An email whose local part is a phone number; a card inside an IBAN-like string.
    const found = scanPii('mail 4155552671@example.com now');
    expect(found.map((m) => m.type)).toEqual(['email']);
    const out = applyPolicy(
      'a 4111 1111 1111 1111 b jane@x.io c',
      scanPii('a 4111 1111 1111 1111 b jane@x.io c'),
      { default: 'redact' },
      new PiiVault(),
    );
    expect(out.text).toBe('a [CARD] b [EMAIL] c');
  });

  it('normalises full-width digits and zero-width characters, and maps positions back', () => {
    const text = 'card ４１１１ １１１１ １１１１ １１１１ and jo\u200Bhn@exa\u200Dmple.com.';
    const found = scanPii(text);
    expect(found.map((m) => m.type)).toEqual(['card', 'email']);
    expect(found[1]!.value).toBe('jo\u200Bhn@exa\u200Dmple.com');
    const out = applyPolicy(text, found, { default: 'redact' }, new PiiVault());
    expect(out.text).toBe('card [CARD] and [EMAIL].');
  });

  it('mask keeps the shape; reversible restores only its own placeholders', () => {
    const text = 'jane@x.io, 4111 1111 1111 1111, +1 415 555 2671';
    const masked = applyPolicy(text, scanPii(text), { default: 'mask' }, new PiiVault()).text;
    expect(masked).toBe('j***@x.io, **** **** **** 1111, +* *** *** **71');
    const vault = new PiiVault();
    const rev = applyPolicy(
      `${text} jane@x.io`,
      scanPii(`${text} jane@x.io`),
      { default: 'reversible' },
      vault,
    ).text;
    expect(rev).toBe('[EMAIL_1], [CARD_1], [PHONE_1] [EMAIL_1]');
    expect(vault.restore('Sent to [EMAIL_1] and [EMAIL_9].')).toBe('Sent to jane@x.io and [EMAIL_9].');
  });
});

describe('Unicode evasions and case', () => {
  const types = (text: string) => scanPii(text).map((m) => m.type);
  it('default-ignorable code points inside a value are seen through (U+034F, a variation selector, a Hangul filler, a tag character)', () => {
    for (const hidden of ['\u034F', '\uFE0F', '\u3164', '\u{E0041}']) {
      const card = `4111${hidden}1111 1111 1111`;
      const found = scanPii(`pay with ${card} now`);
      expect(
        found.map((m) => m.type),
        JSON.stringify(hidden),
      ).toEqual(['card']);
      expect(found[0]!.value).toBe(card);
    }
  });
  it('digits of other scripts are read as digits (Arabic-Indic, Devanagari)', () => {
    expect(types('card ٤١١١ ١١١١ ١١١١ ١١١١ ok')).toEqual(['card']);
    expect(types('card ४१११ ११११ ११११ ११११ ok')).toEqual(['card']);
  });
  it('a Cyrillic letter inside an e-mail address does not hide it', () => {
    const found = scanPii('write to jоhn@exаmple.com today'); // Cyrillic о and а
    expect(found.map((m) => m.type)).toEqual(['email']);
    expect(found[0]!.value).toBe('jоhn@exаmple.com');
  });
  it('an address written into text without spaces (Chinese, Japanese, Korean, Thai) takes none of the words around it', () => {
    const found = (text: string) => scanPii(text).map((m) => `${m.type}:${m.value}`);
    expect(found('请联系zhang.wei@example.cn谢谢')).toEqual(['email:zhang.wei@example.cn']);
    expect(found('メールはtaro@example.jpです')).toEqual(['email:taro@example.jp']);
    expect(found('이메일kim@example.kr입니다')).toEqual(['email:kim@example.kr']);
    expect(found('ติดต่อsomchai@example.co.thครับ')).toEqual(['email:somchai@example.co.th']);
    // An address in one of those scripts, or in both across the "@" and the dots, stays whole.
    expect(found('写信到 用户@例子.广告 吧')).toEqual(['email:用户@例子.广告']);
    expect(found('例子@example.com')).toEqual(['email:例子@example.com']);
  });
  it('a lower-case IBAN is an IBAN', () => {
    expect(types('iban gb82 west 1234 5698 7654 32 please')).toEqual(['iban']);
  });
});

describe('more card networks and separators', () => {
  /** Completes a number with its Luhn check digit. */
  const withCheck = (body: string) => {
    for (let d = 0; d <= 9; d++) if (luhn(body + d)) return body + d;
    throw new Error('unreachable');
  };
  const found = (text: string) => scanPii(text).map((m) => `${m.type}:${m.kind ?? ''}`);
  it('12-digit Maestro and 15-digit legacy JCB (1800, 2131)', () => {
    expect(found(`maestro ${withCheck('50000000001')} ok`)).toEqual(['card:maestro']);
    expect(found(`jcb ${withCheck('18000000000000')} ok`)).toEqual(['card:jcb']);
    expect(found(`jcb ${withCheck('21310000000000')} ok`)).toEqual(['card:jcb']);
  });
  it('cards written with dots or slashes', () => {
    expect(found('card 4111.1111.1111.1111 ok')).toEqual(['card:visa']);
    expect(found('card 4111/1111/1111/1111 ok')).toEqual(['card:visa']);
  });
  it('a date or a version with dots or slashes is not a card', () => {
    expect(found('on 12/05/2024 at 10.20.30.40 and version 1.2.3')).not.toContain('card:visa');
    expect(scanPii('on 12/05/2024 we met').filter((m) => m.type === 'card')).toEqual([]);
  });
});

describe('the opt-in NER detector (compromise)', () => {
  it('finds names, organisations, places and dates, and they go through the policy like any type', async () => {
    const { nerDetector } = await import('../src/ner.js');
    const text = 'Hi, this is John Smith from Acme Corp in Paris. See you on March 3, 2026 or tomorrow.';
    const found = scanPii(text, { external: [nerDetector()] });
    expect(found.map((m) => `${m.type}:${m.value}`)).toEqual([
      'person:John Smith',
      'organization:Acme Corp',
      'place:Paris',
      'date:March 3, 2026',
    ]);
    expect(applyPolicy(text, found, { default: 'redact' }, new PiiVault()).text).toBe(
      'Hi, this is [NAME] from [ORG] in [PLACE]. See you on [DATE] or tomorrow.',
    );
    expect(scanPii(text, { external: [nerDetector({ types: ['date'] })] }).map((m) => m.type)).toEqual([
      'date',
    ]);
  });
});
