import type { DemoConfig } from '../config.js';
import { createEngine, type Engine } from '../engine.js';
import { GatewayAuth } from './auth.js';
import { createGateway, type Gateway } from './server.js';

/** A started gateway. */
export interface RunningGateway {
  url: string;
  engine: Engine;
  gateway: Gateway;
  adminKey: string;
  /** True when no admin key was configured and one was made for this run. */
  adminKeyGenerated: boolean;
  /** Graceful: stop accepting, let requests finish up to `shutdownGraceMs`, abort the rest, close stores. */
  stop(): Promise<void>;
}

/** Builds the engine and the gateway from a configuration and starts listening. */
export async function startGateway(config: DemoConfig): Promise<RunningGateway> {
  const engine = await createEngine(config);
  const adminKey = config.adminKey ?? GatewayAuth.generateAdminKey();
  const gateway = createGateway(engine, Object.assign({}, config, { adminKey }));
  const url = await gateway.listen(config.host, config.port);
  return {
    url,
    engine,
    gateway,
    adminKey,
    adminKeyGenerated: config.adminKey === undefined,
    async stop() {
      await gateway.close();
      await engine.close();
    },
  };
}
