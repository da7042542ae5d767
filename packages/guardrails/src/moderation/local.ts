import type { ModerationCategory, Moderator } from './categories.js';

/**
 * A local, offline classifier: weighted phrase lists per category, matched on word boundaries after
 * lower-casing. It catches explicit, literal statements ("I will kill you", "how to make a bomb", slurs
 * from its list, explicit self-harm intent). It cannot understand context, sarcasm, quotes, fiction,
 * misspellings or coded language, other languages than English, or images; it will miss what a model-based
 * classifier catches and flag some quotes and news. Use it as a fallback, not as the only line.
 */
const LEXICON: Record<ModerationCategory, [RegExp, number][]> = {
  harassment: [
    [/\b(you(?:'re| are) (?:an? )?(?:idiot|moron|loser|worthless|pathetic|stupid))\b/, 0.8],
    [/\b(shut up|nobody likes you)\b/, 0.5],
  ],
  'harassment/threatening': [
    [/\b(i(?:'ll| will| am going to|'m going to) (?:kill|hurt|find|beat|destroy) you)\b/, 0.95],
    [/\b(you(?:'ll| will) regret|watch your back)\b/, 0.7],
  ],
  hate: [
    [
      /\b(all (?:\w+ )?(?:people|immigrants|muslims|jews|christians|women|men) (?:are|should) (?:vermin|animals|inferior|subhuman))\b/,
      0.9,
    ],
    [/\b(subhuman|inferior race)\b/, 0.7],
  ],
  'hate/threatening': [[/\b((?:kill|exterminate|eradicate) all (?:the )?\w+)\b/, 0.9]],
  illicit: [
    [/\b(how (?:do i|to|can i) (?:buy|make|cook|synthesi[sz]e) (?:meth|cocaine|heroin|fentanyl|lsd))\b/, 0.9],
    [/\b(launder(?:ing)? money|counterfeit (?:money|bills)|steal (?:a|someone'?s) (?:car|identity))\b/, 0.75],
  ],
  'illicit/violent': [
    [/\b(how (?:do i|to|can i) (?:make|build) (?:a )?(?:bomb|pipe bomb|explosive|molotov))\b/, 0.95],
    [/\b((?:buy|get) (?:an? )?(?:untraceable|ghost) gun)\b/, 0.85],
  ],
  'self-harm': [
    [/\b(kill myself|end my life|hurt myself|cut myself|killing myself)\b/, 0.85],
    // The word alone is mostly definitions, news and prevention: under the default threshold.
    [/\b(suicide|suicidal)\b/, 0.4],
  ],
  'self-harm/intent': [[/\b(i (?:want|am going|'m going|plan) to (?:kill myself|end my life|die))\b/, 0.95]],
  'self-harm/instructions': [[/\b(how (?:to|do i|can i) (?:kill myself|commit suicide|overdose))\b/, 0.95]],
  sexual: [[/\b(explicit sex|porn(?:ography)?|nude photos|sexual intercourse)\b/, 0.7]],
  'sexual/minors': [
    [/\b((?:sex|sexual|nude)\w* (?:with |of |involving )?(?:a )?(?:child|minor|kid|underage))\b/, 0.98],
  ],
  violence: [
    [
      /\b(kill|murder|stab|shoot|strangle|behead)(?:ed|ing|s)? (?:him|her|them|people|someone|everyone)\b/,
      0.8,
    ],
    [/\b(mass shooting|torture)\b/, 0.6],
  ],
  'violence/graphic': [[/\b(blood everywhere|dismember(?:ed)?|gore|guts spilled)\b/, 0.8]],
};

// Every pattern at once: most texts match none, and one pass over them costs a fraction of twenty.
const ANY = new RegExp(
  Object.values(LEXICON)
    .flatMap((patterns) => patterns.map(([re]) => `(?:${re.source})`))
    .join('|'),
);
const NONE = Object.fromEntries(Object.keys(LEXICON).map((c) => [c, 0])) as Record<
  ModerationCategory,
  number
>;

const FRAMES =
  /\b(call of duty|fortnite|minecraft|gta|video ?games?|in the game|in[- ]game|my (?:novel|story|book|screenplay)|the (?:novel|film|movie|book|episode|character)|fiction|according to (?:police|reports)|police said|was sentenced|historians?|in (?:world war|ww ?i)|what (?:is|are|does) .{0,40}mean|definition of|statistics on|prevention|hotline)\b/;

/**
 * The offline moderator. Runs in linear time on the lower-cased text (each pattern is a fixed alternation
 * anchored on words: no nested quantifiers).
 *
 * @example
 * ```ts
 * await new LocalModerator().moderate('I will kill you'); // { 'harassment/threatening': 0.95, ... }
 * ```
 */
export class LocalModerator implements Moderator {
  readonly name = 'local';

  async moderate(text: string): Promise<Partial<Record<ModerationCategory, number>>> {
    return this.moderateSync(text);
  }

  moderateSync(text: string): Partial<Record<ModerationCategory, number>> {
    const lower = text.toLowerCase();
    if (!ANY.test(lower)) return { ...NONE };
    const scores: Partial<Record<ModerationCategory, number>> = {};
    // Games, fiction, news, history and definitions talk about violence without threatening anyone: such a
    // frame lowers the violence scores below the default threshold (threats aimed at "you" keep theirs).
    const framed = FRAMES.test(lower);
    for (const [category, patterns] of Object.entries(LEXICON) as [
      ModerationCategory,
      [RegExp, number][],
    ][]) {
      let score = 0;
      for (const [re, weight] of patterns) if (re.test(lower)) score = Math.max(score, weight);
      if (framed && (category === 'violence' || category === 'violence/graphic' || category === 'self-harm'))
        score = Math.min(score, 0.3);
      scores[category] = score;
    }
    return scores;
  }
}
