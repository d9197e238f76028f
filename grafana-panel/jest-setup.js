// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { ReadableStream, TransformStream } from 'stream/web';

// @grafana/llm needs web streams, which jsdom does not provide.
Object.assign(global, { ReadableStream, TransformStream });
