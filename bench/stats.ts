/** Small statistics shared by the benchmark sections. */

/** The middle value of `xs` (the upper one of the two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
