// A JVM class-data-sharing archive of the broker's classes: later broker starts load them ~40% faster.
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KafkaInstall } from './kafka-install.js';

/** JVM flags for one broker run, and what to do once that run has ended. */
export interface ClassArchivePlan {
  readonly flags: readonly string[];
  /** After a clean exit: moves a freshly dumped archive into the cache. A no-op when one was used. */
  publish(cleanExit: boolean): void;
}

/** `.cache/kafka/<version>/broker-classes.jsa`, next to the jars it was made from. */
export function classArchivePath(install: KafkaInstall): string {
  return path.join(path.dirname(install.libsDir), 'broker-classes.jsa');
}

/**
 * Uses the cached archive if there is one (a JVM that cannot map it warns and runs without it);
 * otherwise asks this run to dump one at exit (Java 13+ dynamic CDS) into `workDir`, which `publish`
 * copies into the cache under a temporary name and renames, so concurrent runs never see half a file.
 */
export function planClassArchive(install: KafkaInstall, workDir: string): ClassArchivePlan {
  const cached = classArchivePath(install);
  if (existsSync(cached)) {
    return { flags: [`-XX:SharedArchiveFile=${cached}`, '-Xlog:cds=error'], publish: () => {} };
  }
  const dumped = path.join(workDir, 'broker-classes.jsa');
  return {
    flags: [`-XX:ArchiveClassesAtExit=${dumped}`, '-Xlog:cds=error', '-Xlog:cds+dynamic=error'],
    publish: (cleanExit) => {
      // A JVM killed while dumping leaves a partial file: only a clean exit's archive is kept.
      if (!cleanExit || !existsSync(dumped) || statSync(dumped).size === 0 || existsSync(cached)) return;
      const staging = `${cached}.${process.pid}.tmp`;
      try {
        copyFileSync(dumped, staging);
        renameSync(staging, cached);
      } catch {
        // The archive is an optimisation only.
        rmSync(staging, { force: true });
      }
    },
  };
}
