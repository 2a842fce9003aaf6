#!/usr/bin/env node
import '../dist/wecom/main.js';
