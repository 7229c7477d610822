import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCatalogue,
  createServiceEvent,
  services as builtIn,
  type ServiceDefinition,
} from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { CatalogueError, type CatalogueProblem } from '@firehose/schema/site';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-catalogue-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const GITHUB = `firehose-catalogue: 1
services:
  github:
    description: GitHub webhooks of acme
    source: https://github.com/acme
    ingest:
      auth: github-hmac
      secretEnv: FIREHOSE_GITHUB_SECRET
      eventFrom: { header: X-GitHub-Event }
    events:
      push:
        version: 1
        description: A push to a repository
        topic: github/{repo+}/push
        match: push
        params: { repo: repository.full_name }
        identity: [after, repository.id]
        keys: { repo: repository.full_name, user: sender.login }
        subject: "{repository.full_name}/commit/{after}"
        render:
          summary: "{data.repository.full_name}: {data.sender.login} pushed {data.after}"
          sentence: "{data.sender.login} pushed to {data.repository.full_name}"
        schema: { $ref: ./push.schema.json }
`;

const PUSH_SCHEMA = JSON.stringify(
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['after', 'repository', 'sender'],
    properties: {
      after: { type: 'string', pattern: '^[0-9a-f]{40}$' },
      repository: { $ref: './common.schema.yaml#/$defs/repository' },
      sender: { type: 'object', required: ['login'], properties: { login: { type: 'string' } } },
    },
  },
  null,
  2,
);

const COMMON_SCHEMA = `$defs:
  repository:
    type: object
    required: [id, full_name]
    properties:
      id: { type: integer }
      full_name: { type: string }
`;

const push = {
  after: '0123456789abcdef0123456789abcdef01234567',
  repository: { id: 42, full_name: 'acme/widgets' },
  sender: { login: 'ann' },
};

/** The problems of a load that must fail. */
async function problemsOf(
  paths: string[],
  alongside: readonly ServiceDefinition[] = [],
): Promise<CatalogueProblem[]> {
  const error: unknown = await loadCatalogueFiles(paths, { alongside }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CatalogueError);
  const refused = error as CatalogueError;
  expect(refused.code).toBe('INVALID_CATALOGUE');
  return [...refused.problems];
}

/** The same catalogue with one line replaced, written to its own file. */
async function variant(name: string, from: string, to: string, text = GITHUB): Promise<string> {
  expect(text).toContain(from);
  return file(name, text.replace(from, to));
}

describe('loadCatalogueFiles', () => {
  beforeAll(async () => {
    await file('push.schema.json', PUSH_SCHEMA);
    await file('common.schema.yaml', COMMON_SCHEMA);
  });

  it('loads a YAML catalogue with sibling $refs into ordinary services that validate, route and build events', async () => {
    const [github, ...rest] = await loadCatalogueFiles([await file('github.yaml', GITHUB)], {
      alongside: builtIn,
    });
    expect(rest).toEqual([]);
    expect(github!.name).toBe('github');
    expect(github!.source).toBe('https://github.com/acme');
    expect(github!.ingest).toEqual({
      auth: 'github-hmac',
      secretEnv: 'FIREHOSE_GITHUB_SECRET',
      eventFrom: { header: 'X-GitHub-Event' },
      match: { push: 'github.push' },
    });
    const pushType = github!.eventTypes[0]!;
    expect(pushType.type).toBe('github.push');
    expect(pushType.keys).toEqual({ repo: 'repository.full_name', user: 'sender.login' });
    expect(pushType.identityPaths).toEqual(['after', 'repository.id']);
    expect(pushType.subjectTemplate).toBe('{repository.full_name}/commit/{after}');

    const catalogue = createCatalogue([...builtIn, github!]);
    const topic = pushType.topicFor(push);
    expect(topic).toBe('github/acme/widgets/push');
    const event = createServiceEvent(pushType, push, { source: github!.source });
    expect(event.subject).toBe('acme/widgets/commit/0123456789abcdef0123456789abcdef01234567');
    expect(catalogue.checkEvent(topic, event)).toMatchObject({
      status: 'valid',
      params: { repo: 'acme/widgets' },
    });
    // Same data, same id: the identity is declared in the file.
    expect(createServiceEvent(pushType, push, { source: github!.source }).id).toBe(event.id);

    // The schema from the sibling files is enforced (ajv, draft 2020-12), with a pointer into the data.
    const bad = pushType.validate({ ...push, repository: { id: 'x', full_name: 'acme/widgets' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.path).toBe('/repository/id');
    expect(pushType.validate({ ...push, after: 'HEAD' }).ok).toBe(false);
  });

  it('loads the same catalogue written as JSON', async () => {
    const { parse } = await import('yaml');
    const json = await file('github.json', JSON.stringify(parse(GITHUB), null, 2));
    const [github] = await loadCatalogueFiles([json]);
    expect(github!.eventTypes.map((t) => t.type)).toEqual(['github.push']);
    expect(github!.eventTypes[0]!.validate(push).ok).toBe(true);
  });

  it('declares several majors of one event as a list', async () => {
    const text = GITHUB.replace(
      '      push:\n        version: 1\n',
      `      push:\n      - version: 2\n        description: Push v2\n        topic: github/{repo+}/push\n        schema: { type: object }\n      - version: 1\n`,
    ).replace(/\n {8}(?=[a-z])/g, '\n        ');
    const [github] = await loadCatalogueFiles([await file('majors.yaml', text)]);
    expect(github!.eventTypes.map((t) => `${t.type} v${t.version}`)).toEqual([
      'github.push v2',
      'github.push v1',
    ]);
    expect(createCatalogue([github!]).getEventType('github.push')!.version).toBe(2);
  });

  describe('refuses bad input whole, naming file, line and field', () => {
    it('a YAML syntax error, with its line', async () => {
      const path = await variant('syntax.yaml', '        match: push\n', '        match: [push\n');
      const [problem, ...more] = await problemsOf([path]);
      expect(more).toEqual([]);
      expect(problem).toMatchObject({ file: expect.stringContaining('syntax.yaml'), field: '(syntax)' });
      expect(problem!.line).toBeGreaterThanOrEqual(15);
      expect(problem!.message).toMatch(/is not valid YAML or JSON/);
    });

    it('a JSON syntax error, with its line', async () => {
      const path = await file(
        'syntax.json',
        '{\n  "firehose-catalogue": 1,\n  "services": {\n    "x": ,\n  }\n}\n',
      );
      const [problem] = await problemsOf([path]);
      expect(problem).toMatchObject({ field: '(syntax)', line: 4 });
    });

    it('a duplicated key', async () => {
      const path = await variant(
        'dupe.yaml',
        '        match: push\n',
        '        match: push\n        match: pull\n',
      );
      const [problem] = await problemsOf([path]);
      expect(problem).toMatchObject({ field: '(syntax)', line: 16 });
      expect(problem!.message).toMatch(/unique/i);
    });

    it('a file that does not exist', async () => {
      const [problem] = await problemsOf([join(dir, 'missing.yaml')]);
      expect(problem).toMatchObject({ field: '(file)' });
      expect(problem!.message).toMatch(/cannot be read \(ENOENT\)/);
    });

    it('the wrong format version', async () => {
      const [problem] = await problemsOf([
        await variant('version.yaml', 'firehose-catalogue: 1', 'firehose-catalogue: 2'),
      ]);
      expect(problem).toMatchObject({ field: 'firehose-catalogue', line: 1 });
      expect(problem!.message).toMatch(/must be 1/);
    });

    it('an invalid JSON Schema, at the schema keyword', async () => {
      const path = await variant(
        'bad-schema.yaml',
        '        schema: { $ref: ./push.schema.json }',
        '        schema:\n          type: objekt',
      );
      const [problem] = await problemsOf([path]);
      expect(problem).toMatchObject({ field: 'services.github.events.push.schema.type', line: 24 });
      expect(problem!.message).toMatch(/is not a valid JSON Schema \(draft 2020-12\)/);
    });

    it('an invalid JSON Schema in a sibling file, at its line in that file', async () => {
      await file(
        'broken.schema.json',
        '{\n  "type": "object",\n  "properties": {\n    "after": { "type": 7 }\n  }\n}\n',
      );
      const path = await variant('bad-sibling.yaml', './push.schema.json', './broken.schema.json');
      const [problem] = await problemsOf([path]);
      expect(problem!.file).toMatch(/broken\.schema\.json$/);
      expect(problem!.line).toBe(4);
      expect(problem!.field).toMatch(
        /^services\.github\.events\.push\.schema\.\$defs\.broken\.schema\.json\.properties\.after/,
      );
    });

    it('a $ref to a missing file, and one to the network', async () => {
      const missing = await variant('ref-missing.yaml', './push.schema.json', './nope.schema.json');
      const [problem] = await problemsOf([missing]);
      expect(problem).toMatchObject({ field: 'services.github.events.push.schema.$ref', line: 23 });
      expect(problem!.message).toMatch(/nope\.schema\.json, which cannot be read \(ENOENT\)/);
      const remote = await variant('ref-remote.yaml', './push.schema.json', 'https://example.org/push.json');
      const [far] = await problemsOf([remote]);
      expect(far!.message).toMatch(/only files next to the catalogue/);
    });

    it('a bad topic template', async () => {
      const path = await variant('bad-topic.yaml', 'topic: github/{repo+}/push', 'topic: github/{repo+/push');
      const [problem] = await problemsOf([path]);
      expect(problem).toMatchObject({ field: 'services.github.events.push.topic', line: 14 });
    });

    it('a topic outside the service, and params that are not topic parameters', async () => {
      const path = await variant(
        'bad-params.yaml',
        'topic: github/{repo+}/push\n        match: push\n        params: { repo: repository.full_name }',
        'topic: gitlab/{repo+}/push\n        match: push\n        params: { project: repository.full_name }',
      );
      const problems = await problemsOf([path]);
      expect(problems.map((p) => p.field)).toEqual([
        'services.github.events.push.topic',
        'services.github.events.push.params.project',
      ]);
      expect(problems[0]!.message).toMatch(/must start with the service name/);
    });

    it('a bad subject or render template', async () => {
      const subject = await variant(
        'bad-subject.yaml',
        '"{repository.full_name}/commit/{after}"',
        '"{repository.full_name/commit"',
      );
      const [problem] = await problemsOf([subject]);
      expect(problem).toMatchObject({ field: 'services.github.events.push.subject', line: 19 });
      const render = await variant(
        'bad-render.yaml',
        '{data.sender.login} pushed {data.after}',
        '{data.after|nosuchformatter}',
      );
      const [renderProblem] = await problemsOf([render]);
      expect(renderProblem).toMatchObject({ field: 'services.github.events.push.render', line: 20 });
    });

    it('reserved and malformed key names', async () => {
      const path = await variant(
        'bad-keys.yaml',
        'keys: { repo: repository.full_name, user: sender.login }',
        'keys: { topic: repository.full_name, User: sender.login }',
      );
      const problems = await problemsOf([path]);
      expect(problems.map((p) => p.field)).toEqual([
        'services.github.events.push.keys.topic',
        'services.github.events.push.keys.User',
      ]);
      expect(problems[0]!.message).toMatch(/reserved history query word/);
      expect(problems.every((p) => p.line === 18)).toBe(true);
    });

    it('unknown fields, a bad ingest block and a bad source, all at once', async () => {
      const text = GITHUB.replace('auth: github-hmac', 'auth: hmac')
        .replace('secretEnv: FIREHOSE_GITHUB_SECRET', 'secretEnv: hunter2')
        .replace('source: https://github.com/acme', 'source: github')
        .replace('        match: push\n', '        match: push\n        colour: blue\n');
      const problems = await problemsOf([await file('many.yaml', text)]);
      expect(problems.map((p) => `${p.line}:${p.field}`)).toEqual([
        '5:services.github.source',
        '7:services.github.ingest.auth',
        '8:services.github.ingest.secretEnv',
        '16:services.github.events.push.colour',
      ]);
      expect(problems[1]!.message).toMatch(/github-hmac, gitlab-token, bearer/);
    });

    it('overlapping topics within a file', async () => {
      const text = GITHUB.replace(
        '        schema: { $ref: ./push.schema.json }\n',
        '        schema: { $ref: ./push.schema.json }\n      tag:\n        description: A tag\n        topic: github/acme/{kind}\n        schema: { type: object }\n',
      );
      const [problem] = await problemsOf([await file('overlap.yaml', text)]);
      expect(problem).toMatchObject({ field: 'services.github.events.tag.topic', line: 26 });
      expect(problem!.message).toMatch(/overlaps github.push/);
    });

    it('a service declared twice or built in, and a topic outside its service', async () => {
      const first = await file('first.yaml', GITHUB);
      const second = await file(
        'second.yaml',
        'firehose-catalogue: 1\nservices:\n  gerrit:\n    description: x\n    source: https://x.example\n    events:\n      e:\n        description: x\n        topic: gerrit/{p+}/comment-added\n        schema: {}\n  github:\n    description: again\n    source: https://github.com/acme\n    events: {}\n',
      );
      const problems = await problemsOf([first, second], builtIn);
      expect(problems.map((p) => `${p.file}:${p.line}:${p.field}`)).toEqual([
        expect.stringMatching(/second\.yaml:3:services\.gerrit$/),
        expect.stringMatching(/second\.yaml:11:services\.github$/),
      ]);
      expect(problems[0]!.message).toMatch(/already declared/);
      const third = await file(
        'third.yaml',
        'firehose-catalogue: 1\nservices:\n  mirror:\n    description: x\n    source: https://x.example\n    events:\n      push:\n        description: x\n        topic: mirror/{repo+}/push\n        schema: {}\n      any:\n        description: x\n        topic: "{x}/{repo+}"\n        schema: {}\n',
      );
      // A topic outside its own service is refused before any overlap: the first level is the service.
      const [outside] = await problemsOf([first, third]);
      expect(outside).toMatchObject({ field: 'services.mirror.events.any.topic', line: 13 });
      expect(outside!.message).toMatch(/must start with the service name/);
    });

    it('the error message lists every problem as file:line: field: reason', async () => {
      const path = await variant('message.yaml', 'auth: github-hmac', 'auth: hmac');
      const error = (await loadCatalogueFiles([path]).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(
        /^The catalogue is refused: .*message\.yaml:7: services\.github\.ingest\.auth: must be one of github-hmac/,
      );
    });

    it('refuses a breaking schema change within a running major, at the schema line, and takes it as a new major', async () => {
      const running = await loadCatalogueFiles([await file('running.yaml', GITHUB)]);
      // Same schema: nothing to refuse. An added optional field is compatible too.
      await expect(loadCatalogueFiles([await file('same.yaml', GITHUB)], { running })).resolves.toHaveLength(
        1,
      );
      const schema = (required: string) =>
        `schema: { type: object, required: [${required}], properties: { after: { type: string }, ref: { type: string } } }`;
      const withSchema = (name: string, required: string) =>
        variant(name, 'schema: { $ref: ./push.schema.json }', schema(required));
      const base = await loadCatalogueFiles([await withSchema('base.yaml', 'after')]);
      const strict = await withSchema('strict.yaml', 'after, ref');
      const error = (await loadCatalogueFiles([strict], { running: base }).catch(
        (e: unknown) => e,
      )) as CatalogueError;
      expect(error).toBeInstanceOf(CatalogueError);
      expect(error.problems).toEqual([
        expect.objectContaining({ field: 'services.github.events.push.schema', line: 23 }),
      ]);
      expect(error.problems[0]!.message).toMatch(
        /breaks consumers of github\.push v1, which is running \(\/ref: optional field became required\.\).*declare the change as version 2/,
      );
      // Without `running` nothing is compared.
      await expect(loadCatalogueFiles([strict])).resolves.toHaveLength(1);
      // Declared as version 2 beside the running v1, the change is accepted.
      const v2 = GITHUB.replace('schema: { $ref: ./push.schema.json }', schema('after, ref')).replace(
        'version: 1',
        'version: 2',
      );
      const [next] = await loadCatalogueFiles([await file('major.yaml', v2)], { running: base });
      expect(next!.eventTypes.map((t) => t.version)).toEqual([2]);
    });

    it("refuses a breaking change inside a $ref'd sibling schema file, as one in the catalogue file", async () => {
      const sub = await mkdtemp(join(dir, 'refs-'));
      const write = async (name: string, text: string) => {
        const path = join(sub, name);
        await writeFile(path, text);
        return path;
      };
      const catalogue = await write('github.yaml', GITHUB);
      await write('push.schema.json', PUSH_SCHEMA);
      await write('common.schema.yaml', COMMON_SCHEMA);
      const running = await loadCatalogueFiles([catalogue]);
      // An added optional field in the shared file is compatible.
      await write('common.schema.yaml', COMMON_SCHEMA + '      name: { type: string }\n');
      await expect(loadCatalogueFiles([catalogue], { running })).resolves.toHaveLength(1);
      // A changed type in the shared file breaks consumers of the running v1.
      await write(
        'common.schema.yaml',
        COMMON_SCHEMA.replace('id: { type: integer }', 'id: { type: string }'),
      );
      const error = (await loadCatalogueFiles([catalogue], { running }).catch(
        (e: unknown) => e,
      )) as CatalogueError;
      expect(error).toBeInstanceOf(CatalogueError);
      expect(error.problems).toEqual([
        expect.objectContaining({ field: 'services.github.events.push.schema', line: 23 }),
      ]);
      expect(error.problems[0]!.message).toMatch(
        /breaks consumers of github\.push v1, which is running \(\/repository\/id: type changed from "integer" to "string"\.\)/,
      );
    });
  });
});
