import { createRoot } from 'react-dom/client';

// Placeholder until the dashboard lands: says plainly that nothing trains yet.
function Placeholder() {
  return (
    <main>
      <h1>MNIST CNN dashboard</h1>
      <p>The training engine is being built. This page does not train anything yet.</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Placeholder />);
