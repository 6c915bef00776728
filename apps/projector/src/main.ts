import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '@tthc/event-store';
import { DatabaseModule, provideDatabase, readConfig, type DatabaseBounds, type EventStoreConfig } from '@tthc/platform';
import { PROJECTION_RUNNER, ProjectorService, ReadModelsModule, type ProjectionRunner } from '@tthc/read-models';

/**
 * The projector on its own, for deployments that run the api without one (PROJECTOR=off there).
 * Several may run: they elect a leader with an advisory lock (ProjectorElection); the leader projects,
 * the others wait as standbys holding one connection and reading nothing, and one of them takes over
 * within a poll (PROJECTOR_ELECTION_POLL_MS, default 500) of the leader's session ending.
 */
@Module({})
class ProjectorModule {
  static forRoot(databaseUrl: string, eventStore: EventStoreConfig, bounds: DatabaseBounds, pollMs: number): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({ url: databaseUrl, bounds }),
        EventStoreModule.forRoot(eventStore),
        ReadModelsModule.forRoot({ databaseUrl, runProjector: true, election: { pollMs } }),
      ],
    };
  }
}

async function main(): Promise<void> {
  const logger = new Logger('projector');
  const config = readConfig();
  const database = await provideDatabase(config.databaseUrl, {
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    persistent: true,
    restart: true,
    log: (level, message) => (level === 'info' ? logger.log(message) : level === 'warn' ? logger.warn(message) : logger.error(message)),
  });
  const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot(database.url, config.eventStore, config.databaseBounds, config.projectorElectionPollMs));
  const runner = app.get<ProjectionRunner>(PROJECTION_RUNNER);
  const service = app.get(ProjectorService);
  const report = setInterval(async () => {
    if (service.role() === 'standby') {
      // A standby reads nothing of the log; it is healthy while it waits on its lock connection.
      logger.log('standby: waiting for the leader lock');
      if (config.projectorHeartbeatFile) await writeFile(config.projectorHeartbeatFile, `${JSON.stringify({ role: 'standby' })}\n`).catch(() => undefined);
      return;
    }
    let reached = true;
    const status = await runner.refreshLag().catch(() => {
      reached = false;
      return runner.status();
    });
    logger.log(`position ${status.position}, head ${status.head}, lag ${status.lag}`);
    // For a container health check: touched only while the runner runs and both stores answer.
    if (config.projectorHeartbeatFile && reached && status.running) {
      await writeFile(config.projectorHeartbeatFile, `${JSON.stringify(status)}\n`).catch(() => undefined);
    }
  }, 10_000);
  const stop = async () => {
    clearInterval(report);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
