import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

// How source/screens is layered: hooks hold state and reach services, components draw.

const ROOT = path.resolve('source/screens');

function files(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The files a module imports from the project, as paths on disk (`.js` specifiers resolved). */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s[^;]*?from\s+'(\.[^']+)'/gms)].map(([, specifier]) => {
    const target = path.resolve(path.dirname(file), specifier!.replace(/\.js$/, ''));
    return ['.ts', '.tsx']
      .map((ext) => target + ext)
      .find((candidate) => fs.existsSync(candidate))!;
  });
}

const isHook = (file: string) => /^use[A-Z]\w*\.ts$/.test(path.basename(file));
const isComponent = (file: string) => file.endsWith('.tsx');
const relative = (file: string) => path.relative(process.cwd(), file);

describe('source/screens', () => {
  it('has hooks that import no component', () => {
    const wrong = files(ROOT)
      .filter(isHook)
      .flatMap((hook) =>
        imports(hook)
          .filter(isComponent)
          .map((component) => `${relative(hook)} -> ${relative(component)}`),
      );
    expect(wrong).toEqual([]);
  });

  it('has components that do not reach into the configuration', () => {
    const config = path.resolve('source/services/config');
    const wrong = files(ROOT)
      .filter(isComponent)
      .flatMap((component) =>
        imports(component)
          .filter((target) => target.startsWith(config))
          .map((target) => `${relative(component)} -> ${relative(target)}`),
      );
    expect(wrong).toEqual([]);
  });
});
