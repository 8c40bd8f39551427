/**
 * A tiny XML writer for EC2 responses. Every text value is escaped; fragments are branded so a
 * raw (unescaped) string can never be spliced into a document by mistake.
 */

declare const xmlBrand: unique symbol;
/** Well-formed, already-escaped XML. */
export type Xml = string & { readonly [xmlBrand]: true };

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** Characters XML 1.0 cannot carry at all, even escaped. */
// eslint-disable-next-line no-control-regex -- matching those control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Whether a text has characters no XML document can carry. */
export function hasXmlInvalidChars(text: string): boolean {
  XML_INVALID.lastIndex = 0;
  return XML_INVALID.test(text);
}

/**
 * Escapes text for element content and attribute values; `\r` too, so it survives parsing.
 * Characters XML cannot carry (the state refuses them in user text) become U+FFFD.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\uFFFD').replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#13;';
    }
  });
}

export type Scalar = string | number | boolean;

/** `<name>value</name>`, or nothing when the value is undefined. */
export function el(name: string, value: Scalar | undefined | null): Xml {
  if (value === undefined || value === null) {
    return '' as Xml;
  }
  const text = typeof value === 'string' ? escapeXml(value) : String(value);
  return (text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`) as Xml;
}

/** `<name>…children…</name>`. */
export function node(name: string, ...children: Xml[]): Xml {
  return `<${name}>${children.join('')}</${name}>` as Xml;
}

/** `<name><item>…</item>…</name>` — EC2's list shape; `<name/>` when empty. */
export function itemSet(name: string, items: readonly Xml[][]): Xml {
  if (items.length === 0) {
    return `<${name}/>` as Xml;
  }
  return `<${name}>${items.map((children) => `<item>${children.join('')}</item>`).join('')}</${name}>` as Xml;
}

/** A success document: `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`. */
export function responseDocument(action: string, requestId: string, children: readonly Xml[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${EC2_NAMESPACE}">` +
    el('requestId', requestId) +
    children.join('') +
    `</${action}Response>`
  );
}

/** An EC2 error document. */
export function errorDocument(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>` +
    `${el('RequestID', requestId)}</Response>`
  );
}
