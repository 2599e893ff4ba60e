// The Switchyard web console: a client of the REST API like the CLI, holding no privilege of its own.
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
