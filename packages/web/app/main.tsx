import { render } from 'preact';
import { App } from './app';
import './styles/base.css';
import './styles/layout.css';
import './styles/pipelines.css';
import './styles/pipeline.css';
import './styles/log.css';
import './styles/environments.css';

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
