import { AutosaveBanner } from './autosave/AutosaveBanner';
import { ComparisonPanel } from './comparison/ComparisonPanel';
import { DatasetPanel } from './dataset/DatasetPanel';
import { DrawDigit } from './draw/DrawDigit';
import { EvaluationPanel } from './evaluation/EvaluationPanel';
import { FaultBanner } from './fault/FaultBanner';
import { Header } from './header/Header';
import { ImageTest } from './image-test/ImageTest';
import { AccuracyChart } from './loss-chart/AccuracyChart';
import { LossChart } from './loss-chart/LossChart';
import { NetworkEditor } from './network-editor/NetworkEditor';
import { NetworkOverview } from './inspector/NetworkOverview';
import { NetworkView } from './network-view/NetworkView';
import { Predictions } from './predictions/Predictions';
import { RunControls } from './run/RunControls';
import { SnapshotPanel } from './snapshot/SnapshotPanel';
import { TrainingStats } from './stats/TrainingStats';
import { TrainerForm } from './controls/TrainerForm';

/** The whole dashboard; expects a DashboardContext provider above it. */
export function App() {
  return (
    <div className="app">
      <Header />
      <FaultBanner />
      <AutosaveBanner />
      <main className="dashboard">
        <div className="dashboard__row dashboard__row--training">
          <div className="dashboard__stack">
            <TrainingStats />
            <RunControls />
          </div>
          <TrainerForm />
          <LossChart />
          <AccuracyChart />
        </div>
        <div className="dashboard__row dashboard__row--tools">
          {/* The snapshot (the network's weights, saved or loaded) under the network's
              definition; it also keeps the two columns of this row near one height. */}
          <div className="dashboard__stack">
            <NetworkEditor />
            <SnapshotPanel />
          </div>
          <div className="dashboard__stack">
            <DatasetPanel />
            <DrawDigit />
            <ImageTest />
          </div>
        </div>
        <NetworkOverview>
          <NetworkView />
        </NetworkOverview>
        <Predictions />
        <EvaluationPanel />
        <ComparisonPanel />
      </main>
    </div>
  );
}
