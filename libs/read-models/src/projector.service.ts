import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ProjectionRunner } from './projection/projection-runner.js';
import { ProjectorElection, type ProjectorRole } from './projection/projector-election.js';
import { PROJECTION_RUNNER, PROJECTOR_ELECTION } from './read-models.tokens.js';

/**
 * Runs the projection in this process (the api's single-process default, and apps/projector), once
 * elected (ProjectorElection): with several projectors on one database, one projects and the others
 * wait as standbys that read nothing. Without an election (none provided) it projects at once.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Optional() @Inject(PROJECTOR_ELECTION) private readonly election?: ProjectorElection,
  ) {}

  /** `leader` while this process projects, `standby` while it waits for the lock, `stopped` before and after. */
  role(): ProjectorRole {
    if (!this.election) return this.abort && !this.abort.signal.aborted ? 'leader' : 'stopped';
    return this.election.role();
  }

  onApplicationBootstrap(): void {
    this.abort = new AbortController();
    if (!this.election) {
      this.logger.log('projecting from the global log');
      this.running = this.runner.run(this.abort.signal);
      return;
    }
    this.logger.log('standby: campaigning for the projector leader lock');
    this.running = this.election.run(this.abort.signal, (leading) => this.runner.run(leading));
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }
}
