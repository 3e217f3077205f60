// A payload's JSON text laid out for reading without parsing it: only the whitespace between tokens changes,
// so every number spelling, escape and key order shows as sent (JSON.parse would round 12345678901234567890).

/** The text indented, one member or element per line; an empty object or array stays `{}` / `[]`. Not JSON: returned as it is. */
export function formatJsonText(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => `\n${indent.repeat(Math.max(depth, 0))}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[': {
        let next = i + 1;
        while (next < text.length && ' \t\n\r'.includes(text[next]!)) next++;
        if (text[next] === (c === '{' ? '}' : ']')) {
          out += c + text[next];
          i = next;
        } else {
          depth++;
          out += c + newline();
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        out += newline() + c;
        break;
      case ',':
        out += `,${newline()}`;
        break;
      case ':':
        out += ': ';
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return inString || depth !== 0 ? text : out;
}
