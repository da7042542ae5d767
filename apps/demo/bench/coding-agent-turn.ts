/**
 * A coding agent's turn on the Messages API, shaped and sized as Claude Code 2.1.332 sends one (measured on a
 * capture, not copied from it): a 7 KB system prompt in two text blocks, twelve tools whose JSON schemas and
 * descriptions come to about 31 KB, a first user message whose 2.6 KB of context sits in `<system-reminder>`
 * blocks before the request, an environment system message, the drafted tool call, and a 9 KB tool result (a
 * file read). About 51 KB in all, against the few hundred bytes of the bench's other requests.
 */
const sentence = (i: number) =>
  `Rule ${i}: keep changes small, run the tests before you commit, and explain what you changed and why. `;
const prose = (chars: number, seed = 0) => {
  let text = '';
  for (let i = seed; text.length < chars; i++) text += sentence(i);
  return text.slice(0, chars);
};

function tool(name: string, i: number) {
  return {
    name,
    description: prose(1_400, i * 7),
    input_schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        path: { type: 'string', description: prose(240, i) },
        content: { type: 'string', description: prose(200, i + 1) },
        offset: { type: 'number', minimum: 0, description: 'The line to start at.' },
        limit: { type: 'number', minimum: 1, description: 'How many lines to read.' },
        flags: { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] } },
        options: {
          type: 'object',
          properties: { recursive: { type: 'boolean' }, timeout: { type: 'number', maximum: 600_000 } },
          additionalProperties: false,
        },
      },
      required: ['path'],
      additionalProperties: false,
    },
  };
}

const TOOLS = [
  'Agent',
  'Bash',
  'Edit',
  'Glob',
  'Grep',
  'Read',
  'Skill',
  'TodoWrite',
  'ToolSearch',
  'WebFetch',
  'Write',
  'NotebookEdit',
];

/** The body of one turn, as JSON. */
export function codingAgentTurn(): string {
  const reminder = (text: string) => `<system-reminder>\n${text}\n</system-reminder>\n`;
  const file = Array.from(
    { length: 230 },
    (_, i) => `${i + 1}\texport const value${i} = compute(${i}); // ok`,
  ).join('\n');
  return JSON.stringify({
    model: 'cascade',
    max_tokens: 32_000,
    stream: false,
    system: [
      { type: 'text', text: 'x-client-header: version=2.1; entrypoint=cli;' },
      { type: 'text', text: prose(7_000), cache_control: { type: 'ephemeral' } },
    ],
    tools: TOOLS.map(tool),
    metadata: { user_id: '{"device_id":"d1","session_id":"s1"}' },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: reminder(`# claudeMd\n${prose(2_300, 3)}\nContact: maintainer@example.com`) },
          { type: 'text', text: reminder("Today's date is 2026-12-01.") },
          { type: 'text', text: 'Fix the failing test in src/value.ts' },
        ],
      },
      { role: 'system', content: [{ type: 'text', text: `# Environment\n${prose(1_200, 5)}` }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'src/value.ts' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: file.slice(0, 9_200) }],
      },
    ],
  });
}
