/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS). Small and dependency-free: the
 * calibration fits a handful of features on a few hundred questions.
 */
export function fitLogistic(X: readonly number[][], y: readonly number[], l2 = 1, iterations = 25): number[] {
  const d = (X[0]?.length ?? 0) + 1;
  const w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < X.length; i++) {
      const x = [1, ...X[i]!];
      const p = sigmoid(dot(w, x));
      const r = p - y[i]!;
      const s = p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a]! += r * x[a]!;
        for (let b = 0; b < d; b++) H[a]![b]! += s * x[a]! * x[b]!;
      }
    }
    for (let a = 1; a < d; a++) {
      g[a]! += l2 * w[a]!;
      H[a]![a]! += l2;
    }
    for (let a = 0; a < d; a++) H[a]![a]! += 1e-9;
    const step = solve(H, g);
    let change = 0;
    for (let a = 0; a < d; a++) {
      w[a]! -= step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < 1e-8) break;
  }
  return w;
}

/** P(y = 1 | x) under weights `w` (intercept first). */
export function predictLogistic(w: readonly number[], x: readonly number[]): number {
  let z = w[0] ?? 0;
  for (let i = 0; i < x.length; i++) z += (w[i + 1] ?? 0) * x[i]!;
  return sigmoid(z);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-Math.max(-40, Math.min(40, z))));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Solves A x = b by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[pivot]![c]!)) pivot = r;
    [M[c], M[pivot]] = [M[pivot]!, M[c]!];
    const p = M[c]![c]!;
    if (Math.abs(p) < 1e-15) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / p;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-15 ? 0 : row[n]! / row[i]!));
}
