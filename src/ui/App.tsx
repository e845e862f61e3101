// The page: dataset on the left; run controls, live numbers, masks, charts and settings on the right.
import { useEffect, type ReactNode } from 'react';
import { useAppStore } from '../store/appStore';
import { connectTrainer } from '../store/trainerConnection';
import { readSettingsFromUrl } from '../store/url';
import { Controls } from './Controls';
import { DatasetPanel } from './DatasetPanel';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { Notices } from './Notices';
import { SettingsPanel } from './SettingsPanel';
import { StatusPanel } from './StatusPanel';
import { installTestHook } from './testHook';
import { LossPanel } from '../panels/LossPanel';
import { MaskPanel } from '../panels/MaskPanel';
import { MomentumPanel, SchedulePanel } from '../panels/ScheduleCharts';
import { ThroughputPanel } from '../panels/ThroughputPanel';
import { QualityPanel } from '../panels/QualityPanel';
import { LearnedPanel } from '../panels/LearnedPanel';
import { KeepPanel, ResumeBanner } from './KeepPanel';
import { RunsPanel } from './RunsPanel';
import { ExperimentsPanel } from './ExperimentsPanel';

let started = false; // React StrictMode runs effects twice in development: start one worker

function LivePanels() {
  const visible = useAppStore((s) => s.panelsVisible);
  if (!visible) return <p className="panel muted">Live panels are hidden: training runs without drawing them.</p>;
  return (
    <>
      <ErrorBoundary name="Masks">
        <MaskPanel />
      </ErrorBoundary>
      <div className="chart-grid">
        <ErrorBoundary name="Loss">
          <LossPanel />
        </ErrorBoundary>
        <ErrorBoundary name="EMA momentum">
          <MomentumPanel />
        </ErrorBoundary>
        <ErrorBoundary name="Schedules">
          <SchedulePanel />
        </ErrorBoundary>
        <ErrorBoundary name="Throughput">
          <ThroughputPanel />
        </ErrorBoundary>
      </div>
      <ErrorBoundary name="Quality">
        <QualityPanel />
      </ErrorBoundary>
    </>
  );
}

/** A page mode's own panel, shown above the page it measures (main.tsx picks it from the URL). */
export interface ModePanel {
  name: string;
  panel: ReactNode;
}

export function App({ modePanel }: { modePanel?: ModePanel }) {
  useEffect(() => {
    if (started) return;
    started = true;
    readSettingsFromUrl();
    installTestHook();
    void connectTrainer();
  }, []);

  return (
    <div className="app">
      <Header />
      <Notices />
      <ResumeBanner />
      {modePanel && <ErrorBoundary name={modePanel.name}>{modePanel.panel}</ErrorBoundary>}
      <main className="layout">
        <div className="column">
          <ErrorBoundary name="Dataset">
            <DatasetPanel />
          </ErrorBoundary>
        </div>
        <div className="column wide">
          <ErrorBoundary name="Run">
            <section className="panel">
              <Controls />
            </section>
            <StatusPanel />
          </ErrorBoundary>
          <LivePanels />
          {/* not a live panel: it changes at evaluations only, so hiding the live panels keeps it */}
          <ErrorBoundary name="What the encoder learned">
            <LearnedPanel />
          </ErrorBoundary>
          <ErrorBoundary name="Keep and share">
            <KeepPanel />
          </ErrorBoundary>
          <ErrorBoundary name="Experiments">
            <ExperimentsPanel />
          </ErrorBoundary>
          <ErrorBoundary name="Runs">
            <RunsPanel />
          </ErrorBoundary>
          <ErrorBoundary name="Settings">
            <SettingsPanel />
          </ErrorBoundary>
        </div>
      </main>
      <footer className="footer">
        Everything runs in this tab: your images, the model and its weights never leave the browser. The page makes no requests outside its
        own origin (no fonts, CDNs or analytics) and its Content-Security-Policy forbids them.
      </footer>
    </div>
  );
}
