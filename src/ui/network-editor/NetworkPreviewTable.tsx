import type { LayerSummary } from '../../training/protocol';
import { formatInteger, formatShape } from '../common/format';
import { TableHead } from '../common/TableHead';

/** Layer by layer: type, output shape and parameters (with the formula when there are any). */
export function NetworkPreviewTable({ layers, totalParams }: { layers: LayerSummary[]; totalParams: number }) {
  return (
    <table className="preview-table">
      <TableHead columns={['#', 'Layer', 'Output', 'Parameters']} />
      <tbody>
        {layers.map((layer) => (
          <tr key={layer.index}>
            <td>{layer.index}</td>
            <td>{layer.type}</td>
            <td>{formatShape(layer.out)}</td>
            <td>{layer.paramFormula ?? '0'}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td>{formatInteger(totalParams)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
