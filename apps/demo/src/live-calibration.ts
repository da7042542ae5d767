import {
  type CascadeAgent,
  type CascadeAgentOptions,
  InvalidConfigError,
  type Provider,
} from '@cascadeflow/core';
import {
  type Calibration,
  type CalibrationFile,
  calibratedAgent,
  loadCalibrationFile,
  watchCalibrationFile,
} from '@cascadeflow/eval';

/** What the dashboard shows of the live calibration. */
export interface LiveCalibrationInfo {
  file: string;
  loadedAt: string;
  createdAt: string;
  records: number;
  labelledBy: string;
  ladder: string[];
  thresholds: number[];
  targetQuality: number;
  /** On its own records: quality with its lower bound, cost with its upper bound (at `confidence`). */
  expected: {
    quality: number;
    qualityLowerBound: number;
    cost: number;
    costUpperBound: number;
    confidence: number;
  };
  noSaving: string | null;
  /** The last change of the file that could not be loaded (the calibration above stays live). */
  reloadError: string | null;
}

function infoOf(file: string, f: CalibrationFile): LiveCalibrationInfo {
  const c = f.calibration;
  return {
    file,
    loadedAt: new Date().toISOString(),
    createdAt: f.createdAt,
    records: f.source.records,
    labelledBy: f.source.labelledBy,
    ladder: c.ladder,
    thresholds: c.thresholds,
    targetQuality: c.targetQuality,
    expected: {
      quality: c.train.quality,
      qualityLowerBound: c.train.qualityLowerBound,
      cost: c.train.costRatio,
      costUpperBound: c.train.costUpperBound,
      confidence: c.confidence,
    },
    noSaving: c.noSaving ?? null,
    reloadError: null,
  };
}

/**
 * The live agent under a calibration file: built from the file at start, rebuilt when the file changes.
 * A calibration naming a model that the live ladder lacks is refused with the model named.
 */
export class LiveCalibration {
  #agent: CascadeAgent;
  #info: LiveCalibrationInfo;
  readonly #stop: () => void;

  private constructor(
    readonly file: string,
    first: CalibrationFile,
    readonly build: (c: Calibration) => CascadeAgent,
  ) {
    this.#agent = build(first.calibration);
    this.#info = infoOf(file, first);
    this.#stop = watchCalibrationFile(
      file,
      (f) => {
        try {
          this.#agent = build(f.calibration);
          this.#info = infoOf(file, f);
        } catch (e) {
          this.#info = Object.assign({}, this.#info, { reloadError: (e as Error).message });
        }
      },
      { onError: (e) => (this.#info = Object.assign({}, this.#info, { reloadError: e.message })) },
    );
  }

  static async open(
    file: string,
    providers: Record<string, Provider>,
    ladder: { model: string; provider: string; images?: boolean }[],
    options: Omit<CascadeAgentOptions, 'providers' | 'ladder' | 'validators'>,
  ): Promise<LiveCalibration> {
    const providerOf = new Map(ladder.map((t) => [t.model, t.provider]));
    const imagesOf = new Map(ladder.map((t) => [t.model, t.images === true]));
    const build = (c: Calibration) => {
      for (const m of c.ladder)
        if (!providerOf.has(m))
          throw new InvalidConfigError(
            'calibration.ladder',
            `model "${m}" is not on the live ladder (${[...providerOf.keys()].join(', ')}); calibrate on the live ladder's models`,
          );
      return calibratedAgent(
        c,
        providers,
        (m) => ({ provider: providerOf.get(m)!, images: imagesOf.get(m)! }),
        options,
      );
    };
    return new LiveCalibration(file, await loadCalibrationFile(file), build);
  }

  get agent(): CascadeAgent {
    return this.#agent;
  }

  get info(): LiveCalibrationInfo {
    return this.#info;
  }

  close(): void {
    this.#stop();
  }
}
