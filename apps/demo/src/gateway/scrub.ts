/**
 * Removes secrets from text that may reach a client or a log: bearer tokens, provider API keys (OpenAI,
 * Anthropic, and any `api_key=…` / `"x-api-key": "…"` pair), and every key this gateway knows.
 */
const PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}/g,
  /\b(api[_-]?key|x-api-key|authorization|access[_-]?token|secret)(["']?\s*[:=]\s*["']?)[^\s"',}]{4,}/gi,
];

/** A scrubber for the secrets it is given plus the common key formats. */
export function secretScrubber(known: Iterable<string>): (text: string) => string {
  const secrets = [...new Set(known)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    out = out.replace(PATTERNS[0]!, '$1 [redacted]');
    out = out.replace(PATTERNS[1]!, '[redacted]');
    out = out.replace(PATTERNS[2]!, '$1$2[redacted]');
    return out;
  };
}
