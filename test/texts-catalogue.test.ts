import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_TEXTS } from '../src/demo/texts.ts';
import { DOCTOR_TEXTS, FIX_TEXTS, SEVERITY_TEXTS } from '../src/doctor/messages.ts';
import { CODE_SUMMARY, ERROR_TEXTS, OPERATIONS, REFUSAL_WHY } from '../src/errors.ts';
import { catalogue as EVENTS } from '../src/log/events.ts';
import { HEALTH_TEXTS } from '../src/net/health.ts';
import { NOUNS, type NounForms } from '../src/text/plural.ts';
import { LANGS, type Lang } from '../src/text/lang.ts';
import { WIRE_TEXTS } from '../src/wire/explain.ts';
import { SCREEN_TEXTS } from '../src/text/screen.ts';
import {
  CHECK_STATUS,
  CHECK_TITLES,
  DIAGRAM_TEXTS,
  FINDING_TEXTS,
  REPORT_COLUMNS,
  REPORT_TEXTS,
  SCENARIO_ABOUT,
  SKIP_CAUSE_TEXTS,
} from '../src/report/texts.ts';
import { REASON_LABELS } from '../src/text/reasons.ts';
import { OWN_CHECK_TITLES, OWN_FINDINGS, OWN_FINDING_EXAMPLES } from '../src/report/own-texts.ts';

// Every entry of every catalogue, rendered from its example in every language: the walk the
// one-shape rule (src/text/catalogue.ts) makes possible. A new catalogue is added to CATALOGUES.

type Entry = { example: unknown } & Record<Lang, (p: never) => string> & { more?: readonly Entry[] };

/**
 * The findings of the checks on a student's own programs (src/report/own-texts.ts): one sentence per
 * language per code, walked from OWN_FINDING_EXAMPLES like the catalogues' own examples.
 */
const OWN_FINDING_ENTRIES = Object.fromEntries(
  Object.entries(OWN_FINDING_EXAMPLES).map(([code, example]) => [
    code,
    {
      example,
      ...Object.fromEntries(LANGS.map((l) => [l, OWN_FINDINGS[l][code as keyof typeof OWN_FINDINGS.en]])),
    },
  ]),
) as unknown as Record<string, Entry>;
const OWN_TITLE_ENTRIES = Object.fromEntries(
  Object.keys(OWN_CHECK_TITLES.en).map((id) => [
    id,
    {
      example: {},
      ...Object.fromEntries(
        LANGS.map((l) => [l, () => OWN_CHECK_TITLES[l][id as keyof typeof OWN_CHECK_TITLES.en]]),
      ),
    },
  ]),
) as unknown as Record<string, Entry>;

const CATALOGUES: Record<string, Record<string, Entry>> = {
  errors: ERROR_TEXTS,
  'error codes': CODE_SUMMARY,
  operations: OPERATIONS,
  'refusal reasons': REFUSAL_WHY,
  doctor: DOCTOR_TEXTS as unknown as Record<string, Entry>,
  'doctor fixes': FIX_TEXTS,
  'doctor severities': SEVERITY_TEXTS,
  health: HEALTH_TEXTS,
  demo: DEMO_TEXTS,
  wire: WIRE_TEXTS,
  screen: SCREEN_TEXTS,
  'reason labels': REASON_LABELS,
  report: REPORT_TEXTS,
  'report columns': REPORT_COLUMNS,
  'report scenarios': SCENARIO_ABOUT,
  'report check titles': CHECK_TITLES,
  'report check status': CHECK_STATUS,
  'report findings': FINDING_TEXTS,
  'report skipped lines': SKIP_CAUSE_TEXTS,
  'report diagrams': DIAGRAM_TEXTS,
  events: EVENTS as unknown as Record<string, Entry>,
  'own findings': OWN_FINDING_ENTRIES,
  'own check titles': OWN_TITLE_ENTRIES,
};

/** Every rendering of an entry: its own sentence, and the lines it explains itself with (doctor). */
function render(entry: Entry, params: unknown, lang: Lang): string[] {
  const call = (e: Pick<Entry, Lang>) => (e[lang] as (p: unknown) => string)(params);
  return [call(entry), ...(entry.more ?? []).map(call)].filter((s) => s !== '');
}

/** The strings a sentence was given: these are data (a reason, a path), not words of the sentence. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/**
 * Latin words a Russian sentence may hold as they are: protocol and program names, flags of the
 * socket API. Anything else Latin must be marked as a code (`...`), be an identifier (a dot, a dash,
 * a digit, an underscore or parentheses in it: LAB_VM_SUBNET, accept(), --nick, .env), or come
 * from the parameters.
 */
const NAMES = new Set(
  (
    'TCP UDP IP IPv4 IPv6 ICMP NAT DNAT MASQUERADE RST FIN SYN ACK MSS MTU RFC OSI DNS VPN CPU ' +
    'Docker Desktop Compose Linux Node.js Python socket-lab strace tcpdump Wireshark iptables netem ' +
    'statistic cookie root ok tcp udp vm wan lan local remote mistake chat echo exit ' +
    'HELLO COOKIE JOIN WELCOME MSG FROM JOINED LEAVE LEFT PING NOPE ERR SHUTDOWN BYE ' +
    'bind listen accept connect recv send read write close shutdown SIGTERM SIGINT EOF UTF ' +
    // The same API's calls and errors as strace and Python name them (the own-program checks).
    'sendto recvfrom select poll input fd ECONNREFUSED ConnectionRefusedError OSError traceback ' +
    // Terms given beside their Russian name, and kernel subsystems and tools by their names.
    'multicast conntrack tc Node loopback SACK ISN TTL GRO Ethernet pid JSON ' +
    // Hypervisors by their names, and the name of their bridged mode beside its Russian one.
    'VirtualBox VMware bridged ' +
    // Keys by the names printed on them.
    'Enter ' +
    // The demo's two chat members, by nickname.
    'alice bob'
  ).split(' '),
);

function englishLeft(ru: string, params: unknown): string[] {
  // Marked as code (`...`), quoted ("..." or «...»: another program's words), or an address.
  let text = ru
    .replace(/`[^`]*`/g, ' ')
    .replace(/"[^"]*"|«[^«»]*»/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ');
  for (const s of strings(params).sort((a, b) => b.length - a.length)) if (s) text = text.split(s).join(' ');
  return text
    .split(/[\s,;:!?«»"'()[\]—–*]+/)
    .filter((w) => /[A-Za-z]/.test(w) && !/[._\d/=()-]/.test(w) && !NAMES.has(w));
}

test('every catalogue entry renders in every language from its example; Russian holds no bare English', () => {
  const problems: string[] = [];
  let entries = 0;
  for (const [name, cat] of Object.entries(CATALOGUES)) {
    for (const [code, entry] of Object.entries(cat)) {
      entries++;
      const out = Object.fromEntries(LANGS.map((l) => [l, render(entry, entry.example, l)]));
      for (const lang of LANGS) {
        if (out[lang]!.length === 0) problems.push(`${name} ${code} ${lang}: empty`);
        for (const s of out[lang]!)
          if (/undefined|NaN|\[object/.test(s)) problems.push(`${name} ${code}: ${s}`);
      }
      for (const s of out.ru!) {
        const left = englishLeft(s, entry.example);
        if (left.length > 0) problems.push(`${name} ${code} ru: ${left.join(' ')} in «${s}»`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(entries > 100, `${entries} entries walked`);
});

/** The form `n` takes by CLDR's rules (Intl.PluralRules), independent of the code under test. */
function cldrForm(lang: Lang, n: number, forms: NounForms): string {
  const c = new Intl.PluralRules(lang).select(n);
  return (
    (c === 'one' ? forms.one : c === 'few' ? forms.few : c === 'many' ? forms.many : undefined) ?? forms.other
  );
}

/** Sets every number in `v` to `n`. */
function withNumbers(v: unknown, n: number): unknown {
  if (typeof v === 'number') return n;
  if (Array.isArray(v)) return v.map((x) => withNumbers(x, n));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withNumbers(x, n)]));
  return v;
}

/**
 * Russian words after which a counted noun is genitive: «не больше N байт», «больше 21 строки»
 * (a comparative), «нет 21 байта» (a negation), «из 21 строки».
 */
const GENITIVE_AFTER = 'не больше|больше|до|длиннее|нет|из';

test('numbers take the noun form Intl.PluralRules gives them, in every entry that counts', () => {
  const problems: string[] = [];
  for (const n of [0, 1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111]) {
    // Per language, one pattern of every noun form this number must not take.
    const wrongForms = Object.fromEntries(
      LANGS.map((lang) => {
        const wrong = Object.entries(NOUNS).flatMap(([noun, byLang]) => {
          const forms: NounForms = byLang[lang];
          const right = cldrForm(lang, n, forms);
          return [...new Set([forms.one, forms.few, forms.many, forms.other])]
            .filter((f): f is string => f !== undefined && f !== right)
            .map((f) => ({ noun, form: f }));
        });
        // In English a noun before another word is an adjunct ("0 connection slots"): only a form
        // that ends its phrase is judged there.
        const after = lang === 'en' ? '(?![\\p{L}]| [A-Za-z])' : '(?![\\p{L}])';
        const alternatives = wrong.map((w) => w.form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
        // After «(не) больше», «до», «длиннее», «нет» Russian asks for the genitive: judged separately below.
        const notGen = lang === 'ru' ? `(?<!(?:${GENITIVE_AFTER}) )` : '';
        return [lang, new RegExp(`(?:^|[^\\d.,])${notGen}${n} (${alternatives})${after}`, 'u')];
      }),
    ) as Record<Lang, RegExp>;
    // The genitive a preposition asks for: «не больше 1024 байт», «до 21 байта».
    const wrongGen = Object.entries(NOUNS).flatMap(([, byLang]) => {
      const forms: NounForms = byLang.ru;
      if (forms.genOne === undefined || forms.genMany === undefined) return [];
      const one = ['one', 'other'].includes(new Intl.PluralRules('ru').select(n));
      return [one ? forms.genMany : forms.genOne];
    });
    const genPattern = new RegExp(`(?:${GENITIVE_AFTER}) ${n} (${wrongGen.join('|')})(?![\\p{L}])`, 'u');
    for (const [name, cat] of Object.entries(CATALOGUES)) {
      for (const [code, entry] of Object.entries(cat)) {
        const params = withNumbers(entry.example, n);
        for (const lang of LANGS) {
          let out: string[];
          try {
            out = render(entry, params, lang);
          } catch {
            continue; // a number that the entry cannot take (an index, a port); its example renders above
          }
          for (const s of out) {
            const m = wrongForms[lang].exec(s);
            if (m) problems.push(`${name} ${code} ${lang} (${n} ${m[1]}): ${s}`);
            const g = lang === 'ru' ? genPattern.exec(s) : null;
            if (g) problems.push(`${name} ${code} ${lang} (genitive: ${n} ${g[1]}): ${s}`);
          }
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});
