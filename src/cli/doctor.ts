import { Command, Option } from 'commander';
import { LANGS, type Lang } from '../text/lang.js';
import { type Finding, diagnose, exitCodeOf } from '../doctor/checks.js';
import { freeSubnets, parseCidr, type Cidr } from '../doctor/cidr.js';
import { labSetting, readDotenv } from '../doctor/dotenv.js';
import { findingLines } from '../doctor/messages.js';
import { gatherFacts } from '../doctor/probe.js';
import { SETTING_DEFAULTS } from '../doctor/settings.js';
import { parseCount } from './common.js';

interface DoctorCliOptions {
  json?: boolean;
  /** Undefined when neither --lang nor LAB_LANG in the environment gives it: then `.env` decides. */
  lang?: Lang;
  projectDir: string;
  compose?: string;
  freeSubnets?: number;
}

/**
 * `socket-lab doctor`: checks the lab's settings (as Compose resolves them) against this Docker
 * host and names the `.env` setting to change. Exit 0: the lab can start; 1: something would
 * stop it; 2: Docker is unreachable.
 */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'check the Docker lab against this host: subnets vs Docker networks and routes, published ports, Compose and kernel; names the .env setting to change',
    )
    .option('--json', 'print the findings as one JSON object (for scripts and tests)')
    .addOption(
      new Option(
        '--lang <lang>',
        'language of the findings (default: LAB_LANG from the environment, else from .env in --project-dir, else en)',
      )
        .choices(LANGS)
        .env('LAB_LANG'),
    )
    .option('--project-dir <dir>', 'the folder of docker-compose.yml and .env', process.cwd())
    .addOption(
      new Option(
        '--compose <command>',
        'the Compose command (default: "docker compose", else "docker-compose")',
      ).env('LAB_COMPOSE'),
    )
    .addOption(
      new Option(
        '--free-subnets <n>',
        'only print n free /24 subnets in 198.18.0.0/15, one a line',
      ).argParser(parseCount(1, 512)),
    )
    .action(async (o: DoctorCliOptions) => {
      const lang = o.lang ?? (await dotenvLang(o.projectDir));
      const gathered = await gatherFacts({
        projectDir: o.projectDir,
        ...(o.compose ? { compose: o.compose.split(/\s+/).filter(Boolean) } : {}),
      });
      if (o.freeSubnets !== undefined) {
        if (!gathered.ok) {
          process.stderr.write(`socket-lab doctor: no Docker engine answers: ${gathered.reason}\n`);
          process.exitCode = 2;
          return;
        }
        // Besides what is taken, skip the lab's current and default subnets: a lab started
        // later with its defaults must not collide with what a script took now.
        const f = gathered.facts;
        const lab = [
          f.settings?.vmSubnet,
          f.settings?.wanSubnet,
          SETTING_DEFAULTS.LAB_VM_SUBNET,
          SETTING_DEFAULTS.LAB_WAN_SUBNET,
        ]
          .map((v) => (v ? parseCidr(v) : undefined))
          .filter((c): c is Cidr => c !== undefined);
        const taken = [...f.networks.flatMap((n) => n.subnets), ...f.routes.map((r) => r.dst), ...lab];
        const free = freeSubnets(taken, o.freeSubnets);
        process.stdout.write(free.map((s) => `${s}\n`).join(''));
        if (free.length < o.freeSubnets) process.exitCode = 1;
        return;
      }
      const findings: Finding[] = gathered.ok
        ? diagnose(gathered.facts)
        : [{ severity: 'problem', code: 'docker-unreachable', detail: { reason: gathered.reason } }];
      const sources = gathered.ok ? gathered.facts.sources : {};
      const exitCode = exitCodeOf(findings);
      if (o.json) {
        const out = {
          exitCode,
          ...(gathered.ok
            ? { compose: gathered.facts.compose, settings: gathered.facts.settings ?? null }
            : {}),
          findings: findings.map((f) => {
            const text = findingLines(f, lang, sources);
            return { ...f, message: [text.headline, ...text.more].join(' ') };
          }),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(render(findings, lang, sources, exitCode));
      }
      process.exitCode = exitCode;
    });
}

/**
 * LAB_LANG of the lab's `.env` (the one Compose reads), for a doctor run without --lang: the
 * student who set LAB_LANG=ru there reads the findings in Russian. A `.env` that cannot be read or
 * names no known language gives English; the findings themselves say what is wrong with `.env`.
 */
async function dotenvLang(projectDir: string): Promise<Lang> {
  const lang = await readDotenv(projectDir)
    .then((env) => labSetting('LAB_LANG', env))
    .catch(() => undefined);
  return LANGS.includes(lang as Lang) ? (lang as Lang) : 'en';
}

function render(
  findings: readonly Finding[],
  lang: Lang,
  sources: Parameters<typeof findingLines>[2],
  exitCode: number,
): string {
  const lines: string[] = [];
  // Problems last, next to the verdict, where a person reads first after the command ends.
  const order = { info: 0, warning: 1, problem: 2 } as const;
  for (const f of [...findings].sort((a, b) => order[a.severity] - order[b.severity])) {
    const t = findingLines(f, lang, sources);
    lines.push(`doctor: ${t.label}: ${t.headline}`, ...t.more.map((m) => `  ${m}`));
  }
  const problems = findings.filter((f) => f.severity === 'problem').length;
  const verdict =
    exitCode === 0
      ? { en: 'the lab can start here', ru: 'лабораторную здесь можно запускать' }
      : exitCode === 2
        ? { en: 'Docker is unreachable', ru: 'Docker недоступен' }
        : {
            en: `${problems} problem(s): change the setting(s) named above and run socket-lab doctor again`,
            ru: `проблем: ${problems}; измените названные выше настройки и снова запустите socket-lab doctor`,
          };
  lines.push(`doctor: ${verdict[lang]}`);
  return `${lines.join('\n')}\n`;
}
