import { DrawDigit } from './draw/DrawDigit';
import { EvaluationPanel } from './evaluation/EvaluationPanel';
import { FaultBanner } from './fault/FaultBanner';
import { Header } from './header/Header';
import { ImageTest } from './image-test/ImageTest';
import { LossChart } from './loss-chart/LossChart';
import { NetworkEditor } from './network-editor/NetworkEditor';
import { NetworkOverview } from './inspector/NetworkOverview';
import { NetworkView } from './network-view/NetworkView';
import { Predictions } from './predictions/Predictions';
import { SnapshotPanel } from './snapshot/SnapshotPanel';
import { TrainingStats } from './stats/TrainingStats';
import { TrainerForm } from './controls/TrainerForm';

/** The whole dashboard; expects a DashboardContext provider above it. */
export function App() {
  return (
    <div className="app">
      <Header />
      <FaultBanner />
      <main className="dashboard">
        <div className="dashboard__row dashboard__row--training">
          <TrainingStats />
          <TrainerForm />
          <LossChart />
        </div>
        <div className="dashboard__row dashboard__row--tools">
          <NetworkEditor />
          <div className="dashboard__stack">
            <DrawDigit />
            <ImageTest />
            <SnapshotPanel />
          </div>
        </div>
        <NetworkOverview>
          <NetworkView />
        </NetworkOverview>
        <Predictions />
        <EvaluationPanel />
      </main>
    </div>
  );
}
