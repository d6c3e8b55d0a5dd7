import { app } from '@azure/functions';

// HTTP streams: snapshot uploads (up to 100 MB) reach the handler as a stream that is refused early when too large,
// and `logs?follow=true` streams output as the step writes it. Must run before any function is registered.
app.setup({ enableHttpStream: true });
