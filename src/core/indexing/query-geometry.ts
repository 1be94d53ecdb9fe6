/** The few vector sums the search tuner's query makers share (search-tuner.ts, multivector-queries.ts). */

export function euclidean(a: number[], b: number[]): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}

/** A standard normal draw (Box-Muller): a uniform direction in any dimension. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
