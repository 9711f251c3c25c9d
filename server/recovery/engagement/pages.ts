/** A plain, self-contained page for shoppers (unsubscribe, invalid link). Callers pass trusted markup only. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#222;color:#fff;cursor:pointer}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}
