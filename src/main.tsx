// Entry point: mounts the React app, with the `?bench` page mode's panel when the URL asks for it.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BenchPanel } from './bench/BenchPanel';
import { isBenchMode } from './bench/url';
import { App } from './ui/App';
import './ui/styles.css';

const modePanel = isBenchMode(window.location.search) ? { name: 'Benchmark', panel: <BenchPanel /> } : undefined;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App modePanel={modePanel} />
  </StrictMode>,
);
