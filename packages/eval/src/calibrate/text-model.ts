/**
 * A quality estimator that needs nothing but text: a logistic model over hashed word n-grams of the question
 * and the answer, and a few answer features (length, hedging, refusal, format). Every recording has those,
 * with or without log-probs. Fitted in milliseconds on a few hundred questions, stored sparse in the
 * calibration (no model weights to download), and scored in microseconds at run time.
 */

/** A fitted text model, plain JSON (sparse weights by hashed feature index). */
export interface TextModel {
  /** Number of hash buckets. */
  dims: number;
  bias: number;
  /** Feature index → weight; features not listed weigh 0. */
  weights: Record<string, number>;
}

const DIMS = 1 << 14;

// FNV-1a, 32-bit: stable across runs and platforms, so a stored model scores the same everywhere. Taken in
// steps (`fnv(fnv(OFFSET, 'q:'), word)` is the hash of "q:word"), so that a feature is hashed without
// building its name.
const FNV_OFFSET = 0x811c9dc5;
function fnv(state: number, s: string): number {
  let h = state;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}
const QUESTION = fnv(FNV_OFFSET, 'q:');
const QUESTION_PAIR = fnv(FNV_OFFSET, 'q2:');
const ANSWER = fnv(FNV_OFFSET, 'a:');
const ANSWER_PAIR = fnv(FNV_OFFSET, 'a2:');
const FLAG = fnv(FNV_OFFSET, 'f:');

function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

const HEDGES =
  /\b(i think|i believe|probably|possibly|perhaps|maybe|might be|not sure|unsure|likely|it depends|unclear|i guess)\b/i;
const REFUSALS =
  /\b(i can(?:no|')t|i cannot|i'm sorry|i am sorry|i don't know|i do not know|as an ai|unable to|no answer)\b/i;

/** The named answer features, shared by the text model and documented in the README. */
function answerFlags(question: string, answer: string, answerWords = words(answer)): string[] {
  const a = answer.trim();
  const flags: string[] = [];
  const n = answerWords.length;
  flags.push(`len:${n === 0 ? 0 : n === 1 ? 1 : n <= 3 ? 2 : n <= 8 ? 3 : n <= 20 ? 4 : n <= 60 ? 5 : 6}`);
  if (a === '') flags.push('empty');
  if (HEDGES.test(a)) flags.push('hedge');
  if (REFUSALS.test(a)) flags.push('refusal');
  if (/^[A-Ja-j][).:]?$/.test(a)) flags.push('letter');
  if (/\d/.test(a)) flags.push('digits');
  if (a.length > 2 && question.toLowerCase().includes(a.toLowerCase())) flags.push('in-question');
  if (/[?]\s*$/.test(a)) flags.push('question-back');
  return flags;
}

/** Adds the hashes of `<unigram>:word` and `<bigram>:previous word` for each word. */
function addGrams(list: string[], unigram: number, bigram: number, add: (h: number, w: number) => void) {
  for (let i = 0; i < list.length; i++) {
    add(fnv(unigram, list[i]!) >>> 0, 1);
    if (i > 0) add(fnv(fnv(fnv(bigram, list[i - 1]!), ' '), list[i]!) >>> 0, 1);
  }
}

/** The hash of each flag's feature name ("f:flag"): the flags are a handful of fixed names. */
const flagHashes = new Map<string, number>();
function flagHash(flag: string): number {
  let h = flagHashes.get(flag);
  if (h === undefined) {
    h = fnv(FLAG, flag) >>> 0;
    flagHashes.set(flag, h);
  }
  return h;
}

/**
 * Hands each feature of a question and answer to `add`, by the hash of its name ("q:word", "q2:word word",
 * "a:…", "a2:…", "f:flag"), with its weight, in the order they occur (a feature may occur more than once).
 */
function features(question: string, answer: string, add: (h: number, weight: number) => void): void {
  addGrams(words(question), QUESTION, QUESTION_PAIR, add);
  const answerWords = words(answer);
  addGrams(answerWords, ANSWER, ANSWER_PAIR, add);
  // Flags weigh as much as the whole bag of words: they are few and carry most of what generalises.
  for (const f of answerFlags(question, answer, answerWords)) add(flagHash(f), 4);
}

/** The features of a question and answer with their summed weights, in the order they first occur. */
function keysOf(question: string, answer: string): Map<number, number> {
  const keys = new Map<number, number>();
  features(question, answer, (h, weight) => keys.set(h, (keys.get(h) ?? 0) + weight));
  return keys;
}

// Scratch for bucketing: a sum per bucket, and the buckets touched in the order first touched (always
// left zeroed after use).
const sums = new Float64Array(DIMS);
const touched = new Int32Array(DIMS);

/**
 * Buckets what `fill` adds into the scratch sums (each bucket in `touched` in the order first touched);
 * returns how many buckets it touched and their L2 norm. The caller reads them and zeroes the sums.
 */
function bucket(fill: (add: (key: number, weight: number) => void) => void): { n: number; norm: number } {
  let n = 0;
  fill((key, weight) => {
    const i = key % DIMS;
    if (sums[i] === 0) touched[n++] = i;
    sums[i] = sums[i]! + weight;
  });
  let norm = 0;
  for (let j = 0; j < n; j++) norm += sums[touched[j]!]! * sums[touched[j]!]!;
  return { n, norm: Math.sqrt(norm) || 1 };
}

/** Buckets hashed features into a sparse, L2-normalised vector, keeping only those `keep` accepts. */
function vectorize(
  keys: Map<number, number>,
  keep: (key: number) => boolean = () => true,
): { idx: Int32Array; val: Float64Array } {
  const { n, norm } = bucket((add) => {
    for (const [key, v] of keys) if (keep(key)) add(key, v);
  });
  const idx = touched.slice(0, n);
  const val = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    val[j] = sums[idx[j]!]! / norm;
    sums[idx[j]!] = 0;
  }
  return { idx, val };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-Math.max(-40, Math.min(40, z))));
}

/** Options of {@link fitTextModel}. */
export interface TextModelOptions {
  /** L2 penalty per weight (default 0.5), epochs of full-batch Adagrad (default 60). */
  l2?: number;
  epochs?: number;
}

/**
 * Fits P(answer is correct | question, answer) on examples. Deterministic: the same examples give the same
 * model.
 */
export function fitTextModel(
  examples: readonly { question: string; answer: string; correct: boolean }[],
  options: TextModelOptions = {},
): TextModel {
  const l2 = options.l2 ?? 0.5;
  const epochs = options.epochs ?? 60;
  // A feature seen in one example only can be memorised but not learned from: it is left out, so that a
  // question's unique words do not make its score differ from its neighbours' by noise.
  const keyed = examples.map((e) => keysOf(e.question, e.answer));
  const df = new Map<number, number>();
  for (const keys of keyed) for (const k of keys.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const xs = keyed.map((keys) => vectorize(keys, (k) => (df.get(k) ?? 0) >= 2));
  const ys = examples.map((e) => (e.correct ? 1 : 0));
  const n = Math.max(1, xs.length);
  const w = new Float64Array(DIMS);
  const g2 = new Float64Array(DIMS);
  const grad = new Float64Array(DIMS);
  const touched = new Set<number>();
  for (const x of xs) for (const i of x.idx) touched.add(i);
  const active = Int32Array.from(touched);
  const prior = ys.reduce((s: number, y) => s + y, 0) / n;
  let bias = Math.log((prior + 0.5 / n) / (1 - prior + 0.5 / n));
  let gb2 = 0;
  const rate = 0.5;
  for (let epoch = 0; epoch < epochs; epoch++) {
    grad.fill(0);
    let gb = 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]!;
      let z = bias;
      for (let j = 0; j < x.idx.length; j++) z += w[x.idx[j]!]! * x.val[j]!;
      const r = sigmoid(z) - ys[k]!;
      gb += r;
      for (let j = 0; j < x.idx.length; j++) grad[x.idx[j]!]! += r * x.val[j]!;
    }
    gb /= n;
    gb2 += gb * gb;
    bias -= (rate * gb) / (Math.sqrt(gb2) + 1e-8);
    for (const i of active) {
      const g = grad[i]! / n + (l2 / n) * w[i]!;
      g2[i]! += g * g;
      w[i]! -= (rate * g) / (Math.sqrt(g2[i]!) + 1e-8);
    }
  }
  const weights: Record<string, number> = {};
  for (const i of active) {
    const v = w[i]!;
    if (Math.abs(v) >= 1e-4) weights[i] = +v.toPrecision(4);
  }
  return { dims: DIMS, bias: +bias.toPrecision(6), weights };
}

/** P(correct) of an answer under a fitted {@link TextModel}. */
export function scoreText(model: TextModel, question: string, answer: string): number {
  if (model.dims !== DIMS) return sigmoid(model.bias);
  const w = denseWeights(model);
  // What `vectorize(keysOf(...))` computes, bucketed straight from the features: the same buckets, first
  // touched in the same order, the same (integer) sums, so the same score to the last bit.
  const { n, norm } = bucket((add) => features(question, answer, add));
  let z = model.bias;
  for (let j = 0; j < n; j++) {
    const i = touched[j]!;
    z += w[i]! * (sums[i]! / norm);
    sums[i] = 0;
  }
  return sigmoid(z);
}

const dense = new WeakMap<TextModel, Float64Array>();

/** A model's weights as an array by bucket, made once per model (a calibration is not changed in place). */
function denseWeights(model: TextModel): Float64Array {
  let w = dense.get(model);
  if (!w) {
    w = new Float64Array(DIMS);
    for (const [i, v] of Object.entries(model.weights)) w[Number(i)] = v;
    dense.set(model, w);
  }
  return w;
}
