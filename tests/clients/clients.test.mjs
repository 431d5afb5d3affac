// The official OpenAI, Ollama and Anthropic npm clients against a real `frugal serve` on a tiny model written by our
// GGUF writer (`frugal model synth`). Run by ./test after the build; FRUGAL_CLI may name the built frugal.dll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import Anthropic from '@anthropic-ai/sdk';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = process.env.FRUGAL_CLI ?? join(root, 'src', 'Frugal.Cli', 'bin', 'Release', 'net10.0', 'frugal.dll');
const data = mkdtempSync(join(tmpdir(), 'frugal-clients-'));
const frugal = (...args) => execFileSync('dotnet', [cli, ...args], { encoding: 'utf8' }).trim();
let server, base, alice, bob;

const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});

before(async () => {
  frugal('model', 'synth', '--shape', 'tiny', '-o', join(data, 'tiny.gguf'));
  alice = frugal('user', 'add', 'alice', '--data', data).split('\n').at(-1);
  bob = frugal('user', 'add', 'bob', '--data', data).split('\n').at(-1);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn('dotnet', [cli, 'serve', '--model', join(data, 'tiny.gguf'), '--data', data, '--port', String(port), '--ctx', '1024',
    // One user sends every test's requests within seconds: the default rate (60 a minute, bursts of 20) would refuse some.
    '--set', 'RateLimits:RequestsPerMinute=600', '--set', 'RateLimits:RequestBurst=200'], { stdio: 'ignore' });
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${base}/ready`)).ok) return; } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('frugal serve did not get ready in 60 s');
});

after(() => { server?.kill(); rmSync(data, { recursive: true, force: true }); });

test('openai: chat, legacy completions (whole and streamed, echo, logprobs), responses, structured output, errors', async () => {
  const openai = new OpenAI({ apiKey: alice, baseURL: `${base}/v1`, maxRetries: 0 });
  const chat = await openai.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, temperature: 0 });
  assert.equal(chat.object, 'chat.completion');
  assert.ok(chat.usage.completion_tokens >= 1 && chat.usage.completion_tokens <= 5);

  const completion = await openai.completions.create({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 5, temperature: 0 });
  assert.equal(completion.object, 'text_completion');
  let streamed = '';
  for await (const chunk of await openai.completions.create({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 5, temperature: 0, stream: true })) {
    streamed += chunk.choices[0]?.text ?? '';
  }
  assert.equal(streamed, completion.choices[0].text);

  const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['n'], additionalProperties: false };
  const structured = await openai.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'A number' }], max_tokens: 30, temperature: 1, seed: 3,
    response_format: { type: 'json_schema', json_schema: { name: 'n', schema, strict: true } },
  });
  const n = JSON.parse(structured.choices[0].message.content).n;
  assert.ok(Number.isInteger(n) && n >= 0 && n <= 9);

  const echoed = await openai.completions.create({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 5, temperature: 0, echo: true });
  assert.equal(echoed.choices[0].text, `Once upon a time${completion.choices[0].text}`);
  const scored = await openai.completions.create({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 5, temperature: 0, logprobs: 2 });
  const { tokens, token_logprobs: tokenLogprobs, top_logprobs: topLogprobs } = scored.choices[0].logprobs;
  assert.equal(tokens.join(''), completion.choices[0].text);
  assert.ok(tokenLogprobs.every((p, i) => p <= 0 && p === Math.max(...Object.values(topLogprobs[i]))));
  const chatScored = await openai.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, temperature: 0, logprobs: true, top_logprobs: 3,
  });
  assert.equal(chatScored.choices[0].logprobs.content.map((t) => t.token).join(''), chat.choices[0].message.content);
  assert.ok(chatScored.choices[0].logprobs.content.every((t) => t.top_logprobs.length === 3 && t.logprob === t.top_logprobs[0].logprob));
  await assert.rejects(openai.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], logprobs: true, top_logprobs: 21 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'top_logprobs');
  await assert.rejects(openai.completions.create({ model: 'tiny', prompt: [1, 2], echo: true }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'echo');

  const asked = { model: 'tiny', input: 'Hi', instructions: 'Be brief.', max_output_tokens: 5, temperature: 0 };
  const response = await openai.responses.create(asked);
  assert.equal(response.object, 'response');
  assert.ok(response.usage.output_tokens >= 1 && response.usage.output_tokens <= 5);
  let deltas = '';
  let last;
  for await (const event of await openai.responses.create({ ...asked, stream: true })) {
    if (event.type === 'response.output_text.delta') deltas += event.delta;
    last = event;
  }
  assert.equal(deltas, response.output_text);
  assert.ok(['response.completed', 'response.incomplete'].includes(last.type));
  await assert.rejects(openai.responses.create({ ...asked, previous_response_id: 'resp_1' }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'previous_response_id');
  await assert.rejects(openai.responses.create({ ...asked, store: true }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'store');
});

test('ollama: list, ps, show, version, chat and generate (whole, streamed, raw, format), pull refused', async () => {
  const ollama = new Ollama({ host: base, headers: { Authorization: `Bearer ${alice}` } });
  const { models } = await ollama.list();
  assert.equal(models[0].name, 'tiny:latest');
  assert.equal((await ollama.ps()).models[0].context_length, 1024);
  assert.equal((await ollama.show({ model: 'tiny:latest' })).model_info['general.architecture'], 'llama');
  assert.match((await ollama.version()).version, /^\d+\.\d+\.\d+/);

  const options = { num_predict: 5, temperature: 0 };
  const whole = await ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], options, stream: false });
  assert.equal(whole.done, true);
  let streamed = '';
  for await (const part of await ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], options, stream: true })) {
    streamed += part.message.content;
  }
  assert.equal(streamed, whole.message.content);

  const raw = await ollama.generate({ model: 'tiny', prompt: 'Once upon a time', raw: true, options });
  assert.equal(typeof raw.response, 'string');
  const formatted = await ollama.generate({
    model: 'tiny', prompt: 'Pick', options: { num_predict: 30, temperature: 1, seed: 5 },
    format: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
  });
  assert.equal(typeof JSON.parse(formatted.response).ok, 'boolean');

  await assert.rejects(ollama.pull({ model: 'llama3' }), (e) => e.status_code === 501 && /frugal model pull/.test(e.error));
  await assert.rejects(ollama.chat({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], options: { mirostat: 1 } }),
    (e) => e.status_code === 400 && /mirostat/.test(e.error));
});

test('anthropic: messages (whole and streamed), count_tokens, errors', async () => {
  const anthropic = new Anthropic({ apiKey: alice, baseURL: base, maxRetries: 0 });
  const request = { model: 'tiny', max_tokens: 5, temperature: 0, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] };
  const message = await anthropic.messages.create(request);
  assert.equal(message.type, 'message');
  assert.ok(['end_turn', 'max_tokens'].includes(message.stop_reason));

  const stream = anthropic.messages.stream(request);
  let streamed = '';
  stream.on('text', (text) => { streamed += text; });
  const final = await stream.finalMessage();
  assert.equal(streamed, message.content[0].text);
  assert.equal(final.content[0].text, message.content[0].text);

  const count = await anthropic.messages.countTokens({ model: 'tiny', system: 'Be brief.', messages: request.messages });
  assert.equal(count.input_tokens, message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0));

  await assert.rejects(anthropic.messages.create({ ...request, temperature: 1.5 }),
    (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === 'invalid_request_error');
  await assert.rejects(new Anthropic({ apiKey: `${alice}x`, baseURL: base, maxRetries: 0 }).messages.create(request),
    (e) => e instanceof Anthropic.AuthenticationError);
});

test('ollama: tools — a call with arguments as an object, then the tool\'s result read back', async () => {
  const ollama = new Ollama({ host: base, headers: { Authorization: `Bearer ${alice}` } });
  const weather = {
    type: 'function',
    function: {
      name: 'get_weather', description: 'The weather in a city.',
      parameters: { type: 'object', properties: { city: { type: 'string', minLength: 1, maxLength: 12 } }, required: ['city'], additionalProperties: false },
    },
  };
  const ask = { role: 'user', content: 'Weather in Paris?' };
  let called;
  for (let seed = 1; seed <= 8 && !called; seed++) {
    const reply = await ollama.chat({ model: 'tiny', messages: [ask], tools: [weather], options: { num_predict: 300, temperature: 1, seed } });
    called = reply.message.tool_calls?.[0];
  }
  assert.ok(called, 'no seed called the tool');
  assert.equal(called.function.name, 'get_weather');
  assert.equal(typeof called.function.arguments.city, 'string');

  const answer = await ollama.chat({
    model: 'tiny', tools: [weather], options: { num_predict: 5, temperature: 0 },
    messages: [ask, { role: 'assistant', content: '', tool_calls: [called] }, { role: 'tool', content: '21 degrees', tool_name: 'get_weather' }],
  });
  assert.equal(answer.done, true);
  assert.ok(answer.prompt_eval_count > 0);
});

test('anthropic: tools — tool_use blocks whole and streamed, then a tool_result answered in text', async () => {
  const anthropic = new Anthropic({ apiKey: alice, baseURL: base, maxRetries: 0 });
  const tools = [{
    name: 'get_weather', description: 'The weather in a city.',
    input_schema: { type: 'object', properties: { city: { type: 'string', minLength: 1, maxLength: 12 } }, required: ['city'], additionalProperties: false },
  }];
  const ask = { role: 'user', content: 'Weather in Paris?' };
  const request = { model: 'tiny', max_tokens: 120, temperature: 0, tools, tool_choice: { type: 'any' }, messages: [ask] };
  const use = await anthropic.messages.create(request);
  assert.equal(use.stop_reason, 'tool_use');
  const block = use.content.find((b) => b.type === 'tool_use');
  assert.match(block.id, /^toolu_/);
  assert.equal(block.name, 'get_weather');
  assert.equal(typeof block.input.city, 'string');

  const streamed = await anthropic.messages.stream(request).finalMessage();
  assert.equal(streamed.stop_reason, 'tool_use');
  assert.deepEqual(streamed.content.map((b) => [b.type, b.name, b.input]), use.content.map((b) => [b.type, b.name, b.input]));

  const answer = await anthropic.messages.create({
    ...request, max_tokens: 5, tool_choice: { type: 'none' },
    messages: [ask, { role: 'assistant', content: use.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: '21 degrees' }] }],
  });
  assert.equal(answer.content[0].type, 'text');
  assert.notEqual(answer.stop_reason, 'tool_use');
});

test('isolation: another user is never answered from the first one\'s cache', async () => {
  const prompt = `Alice only ${Date.now()}`;
  const ask = (key) => fetch(`${base}/api/generate`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}` },
    body: JSON.stringify({ prompt, stream: false, options: { num_predict: 3, temperature: 0 } }),
  });
  await ask(alice);
  assert.equal((await ask(alice)).headers.get('x-frugal-cache'), 'hit');
  assert.equal((await ask(bob)).headers.get('x-frugal-cache'), 'miss');
});
