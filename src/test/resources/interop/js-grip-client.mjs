// Drives Gripway with the official GRIP client library, @fanoutio/grip, used exactly as an application would:
// it checks the Grip-Sig an origin received and publishes through Gripway's publish API.
// Usage: node js-grip-client.mjs <modules dir> <control uri> <grip-sig> <key> <long-poll channel> <stream channel>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, controlUri, gripSig, key, pollChannel, streamChannel] = process.argv.slice(2);
const grip = await import(pathToFileURL(path.join(modules, '@fanoutio', 'grip', 'build', 'index.js')).href);

const signatureValid = await grip.validateSig(gripSig, key, 'pushpin');
const forgedValid = await grip.validateSig(gripSig, key + '-wrong', 'pushpin');
console.log(`sig-valid=${signatureValid} forged-valid=${forgedValid}`);

const publisher = new grip.Publisher({ control_uri: controlUri });
await publisher.publishHttpResponse(pollChannel, 'from js-grip\n');
await publisher.publishHttpStream(streamChannel, 'streamed by js-grip\n');
await publisher.publishFormats(streamChannel, new grip.HttpStreamFormat(null, true));
console.log('published');
