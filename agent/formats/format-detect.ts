import { compileGlob, podLabelsOf, type Glob } from '../../protocol/index.js';
import { CriDecoder, decodeCri } from './cri-decoder.js';
import { DockerJsonDecoder, decodeDocker } from './docker-json-decoder.js';
import { PlainDecoder, type DecodedLine, type LineDecoder, type LineFormat } from './line-decoder.js';

/** What `--format` and the config's `format` and `formats` take: a format, or `auto` to detect it per file. */
export type FormatSetting = 'auto' | LineFormat;

// <data-root>/containers/<id>/<id>-json.log, and the copies json-file rotation leaves (`.1`, `.2`...).
const DOCKER_LAYOUT = /\/containers\/([0-9a-f]{64})\/\1-json\.log(?:\.\d+)?$/;

/** How a Docker json-file line starts; a first line too long for the head is known by it. */
const DOCKER_START = Buffer.from('{"log":"');

/** A new decoder for `format`: decoders count what they could not decode, so each file gets its own. */
export function decoderFor(format: LineFormat): LineDecoder {
  switch (format) {
    case 'cri':
      return new CriDecoder();
    case 'docker':
      return new DockerJsonDecoder();
    case 'plain':
      return new PlainDecoder();
  }
}

/** The format a path's place says: the kubelet's and Docker's log directories, else undefined. */
export function formatOfPath(path: string): LineFormat | undefined {
  if (path.startsWith('/var/log/pods/') || path.startsWith('/var/log/containers/') || podLabelsOf(path) !== undefined) return 'cri';
  if ((path.startsWith('/var/lib/docker/containers/') && path.endsWith('-json.log')) || DOCKER_LAYOUT.test(path)) return 'docker';
  return undefined;
}

/** The format of a file whose path says nothing, from its first complete line. */
export function formatOfLine(line: Buffer): LineFormat {
  const scratch: DecodedLine = { prefix: Buffer.alloc(0), message: Buffer.alloc(0), partial: false, stream: '' };
  if (decodeCri(line, scratch)) return 'cri';
  if (decodeDocker(line, scratch)) return 'docker';
  return 'plain';
}

/**
 * A file's format when detecting (`auto`): from its path, else from its first complete line (no
 * '\n'). Undefined while neither decides (an empty file at an ordinary path): ask again once the
 * file holds a complete line.
 */
export function detectFormat(path: string, firstLine: Buffer | undefined): LineFormat | undefined {
  return formatOfPath(path) ?? (firstLine === undefined ? undefined : formatOfLine(firstLine));
}

/**
 * Chooses each followed file's format from the agent's settings: the first glob of `formats`
 * (config, in its order) that matches the path, else `format`; `auto` detects (see detectFormat).
 */
export class FormatChooser {
  private readonly overrides: Array<{ glob: Glob; format: FormatSetting }>;

  constructor(
    private readonly format: FormatSetting,
    overrides: Readonly<Record<string, FormatSetting>> = {},
  ) {
    this.overrides = Object.entries(overrides).map(([glob, setting]) => ({ glob: compileGlob(glob), format: setting }));
  }

  /** The setting that applies to `path`. */
  settingFor(path: string): FormatSetting {
    return this.overrides.find((override) => override.glob.test(path))?.format ?? this.format;
  }

  /**
   * A file's format from its path and first bytes (at most a few hundred, so the first line may be
   * cut short): plain when nothing tells (an empty file at an ordinary path).
   */
  formatOfHead(path: string, head: Buffer): LineFormat {
    const lf = head.indexOf(0x0a);
    if (lf < 0 && head.subarray(0, DOCKER_START.length).equals(DOCKER_START) && this.settingFor(path) === 'auto') return 'docker';
    const firstLine = lf >= 0 ? head.subarray(0, lf > 0 && head[lf - 1] === 0x0d ? lf - 1 : lf) : head.length > 0 ? head : undefined;
    return this.formatFor(path, firstLine) ?? 'plain';
  }

  /** `path`'s format; undefined while `auto` cannot tell yet (see detectFormat). */
  formatFor(path: string, firstLine: Buffer | undefined): LineFormat | undefined {
    const setting = this.settingFor(path);
    return setting === 'auto' ? detectFormat(path, firstLine) : setting;
  }
}
