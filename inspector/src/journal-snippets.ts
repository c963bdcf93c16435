import type { JournalEntry } from './api';

/**
 * A journal entry as a command to send again: curl and fetch. The key is never written in the
 * clear (the journal holds none): it is a placeholder, `$OPENROUTER_API_KEY`, for the person to
 * set. The body is the journal's, so a field it redacted stays `[redacted]`.
 */
export const KEY_PLACEHOLDER = 'OPENROUTER_API_KEY';

/** Whether the journal kept the body whole (a large one is a summary, which cannot be sent again). */
export function bodyKept(entry: JournalEntry): boolean {
  const body = entry.body as { _truncated?: unknown } | null;
  return !(body !== null && typeof body === 'object' && body._truncated === true);
}

/** The request target: the path, then the query as the journal parsed it (a repeated field repeated). */
export function target(entry: JournalEntry): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(entry.query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const query = params.toString();
  return query === '' ? entry.path : `${entry.path}?${query}`;
}

/** The headers worth sending again besides the key: the body's type and a one-shot fault header. */
function extraHeaders(entry: JournalEntry): [string, string][] {
  const out: [string, string][] = [];
  if (entry.body !== null) out.push(['Content-Type', 'application/json']);
  const fault = entry.request_headers['x-mock-response'];
  if (fault !== undefined) out.push(['X-Mock-Response', fault]);
  return out;
}

const hadKey = (entry: JournalEntry) => entry.request_headers.authorization !== undefined;
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function asCurl(entry: JournalEntry, origin: string): string {
  const lines = [`curl -X ${entry.method} ${shellQuote(origin + target(entry))}`];
  // Double quotes: the shell expands the variable.
  if (hadKey(entry)) lines.push(`-H "Authorization: Bearer $${KEY_PLACEHOLDER}"`);
  for (const [name, value] of extraHeaders(entry)) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (entry.body !== null) lines.push(`--data ${shellQuote(JSON.stringify(entry.body))}`);
  return lines.join(' \\\n  ');
}

export function asFetch(entry: JournalEntry, origin: string): string {
  const headers: string[] = [];
  if (hadKey(entry)) headers.push(`Authorization: \`Bearer \${${KEY_PLACEHOLDER}}\``);
  for (const [name, value] of extraHeaders(entry)) headers.push(`${JSON.stringify(name)}: ${JSON.stringify(value)}`);
  const init = [`  method: ${JSON.stringify(entry.method)},`];
  if (headers.length > 0) init.push(`  headers: { ${headers.join(', ')} },`);
  if (entry.body !== null) init.push(`  body: JSON.stringify(${JSON.stringify(entry.body)}),`);
  return `const ${KEY_PLACEHOLDER} = process.env.${KEY_PLACEHOLDER};\nconst response = await fetch(${JSON.stringify(origin + target(entry))}, {\n${init.join('\n')}\n});`;
}
