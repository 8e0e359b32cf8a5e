/** Just enough XML writing for EC2 Query responses: elements, escaped text, `<item>` lists. */

export type Xml = string;

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : '&quot;',
  );
}

/** `<name>children</name>`; children are already XML. */
export function el(name: string, ...children: Xml[]): Xml {
  return `<${name}>${children.join('')}</${name}>`;
}

/** `<name>escaped text</name>`, or nothing when the value is undefined. */
export function text(name: string, value: string | number | boolean | undefined): Xml {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** EC2 Query lists: `<name><item>…</item><item>…</item></name>`. */
export function items<T>(name: string, values: readonly T[], render: (value: T) => Xml): Xml {
  return el(name, ...values.map((value) => el('item', render(value))));
}

export function document(root: string, ...children: Xml[]): Xml {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">${children.join('')}</${root}>`;
}
