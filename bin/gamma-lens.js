#!/usr/bin/env node
'use strict';
// The CLI lives in the bundled server output so that it shares the engine with the language server.
require('../server/out/cli.js');
