/**
 * A page in a real headless Chromium (Debian's `chromium`), offline (test helper): its DOM after
 * loading, and what its console and network said.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `chromium` on PATH, or the program CHROMIUM names (a test asks needs() for it). */
export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

export interface Loaded {
  dom: string;
  /** Console messages and failed loads. */
  console: string[];
}

/** Loads `file` in headless Chromium, with every network request sent to a closed port. */
export async function load(file: string): Promise<Loaded> {
  const profile = await mkdtemp(join(tmpdir(), 'report-html-profile-'));
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // Offline: anything the page tried to fetch would fail (and show in the console).
          '--proxy-server=127.0.0.1:9',
          `--user-data-dir=${profile}`,
          '--enable-logging=stderr',
          '--v=0',
          '--dump-dom',
          `file://${file}`,
        ],
        { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, out, errOut) => (err ? reject(err) : resolve({ stdout: out, stderr: errOut })),
      );
    });
    return {
      dom: stdout,
      console: stderr
        .split('\n')
        .filter((l) => /CONSOLE|Failed to load|net::ERR|Content.Security.Policy/i.test(l)),
    };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
