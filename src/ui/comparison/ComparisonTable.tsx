import type { RunReport } from '../../comparison/protocol';
import { formatInteger, formatNumber, formatPercent } from '../common/format';
import { LineSample } from './LineSample';
import { RUN_STYLES } from './trainer-configs';

/** Where each run is now; the first column doubles as the charts' legend. */
export function ComparisonTable({ runs }: { runs: readonly RunReport[] }) {
  return (
    <table className="comparison-table">
      <caption className="visually-hidden">Each trainer now, and the line that draws it in the charts</caption>
      <thead>
        <tr>
          <th scope="col">Trainer</th>
          <th scope="col">Loss</th>
          <th scope="col">Training accuracy</th>
          <th scope="col">Validation accuracy</th>
          <th scope="col">Examples</th>
          <th scope="col">ms/example</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run, i) => {
          const style = RUN_STYLES[i % RUN_STYLES.length]!;
          return (
            <tr key={i}>
              <th scope="row">
                <LineSample color={style.color} dash={style.dash} />
                <span>{run.label}</span>
                <span className="visually-hidden"> ({style.dashName} line)</span>
                {run.stoppedReason ? <span className="comparison-table__stopped">Stopped: {run.stoppedReason}</span> : null}
              </th>
              <td>{formatNumber(run.loss, 4)}</td>
              <td>{formatPercent(run.trainingAccuracy)}</td>
              <td>{formatPercent(run.validationAccuracy)}</td>
              <td>{formatInteger(run.examples)}</td>
              <td>{formatNumber(run.msPerExample, 2)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
