import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ProjectionRunner } from './projection/projection-runner.js';
import { PROJECTION_RUNNER } from './read-models.tokens.js';

/** Runs the projection in this process (the api's single-process default, and apps/projector). */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  onApplicationBootstrap(): void {
    this.abort = new AbortController();
    this.logger.log(`projecting from the global log`);
    this.running = this.runner.run(this.abort.signal);
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }
}
