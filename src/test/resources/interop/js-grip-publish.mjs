// Publishes one http-stream item with the official GRIP client library, @fanoutio/grip, configured exactly as an
// application would be: from a GRIP_URL (which carries iss/key, a literal key, or user:pass for Basic).
// Usage: node js-grip-publish.mjs <modules dir> <GRIP_URL> <channel> <content>
// Prints "published", or "refused <status> <body>" when the publish API answered an error.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, gripUrl, channel, content] = process.argv.slice(2);
const grip = await import(pathToFileURL(path.join(modules, '@fanoutio', 'grip', 'build', 'index.js')).href);

const publisher = new grip.Publisher(gripUrl);
try {
  await publisher.publishHttpStream(channel, content);
  console.log('published');
} catch (error) {
  const context = error.context || {};
  console.log(`refused ${context.statusCode} ${JSON.stringify(context.httpBody)}`);
}
