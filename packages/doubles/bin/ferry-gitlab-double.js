#!/usr/bin/env node
import '../dist/gitlab/main.js';
