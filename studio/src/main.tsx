import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { prefetch, whenUnauthorized } from './api';
import { signIn, signOut, type StudioConfig } from './auth';
import { ComparePage } from './pages/Compare';
import { ComputePage, DatasetsPage, DatastoresPage } from './pages/Data';
import { ModelsPage } from './pages/Models';
import { PublishedPage } from './pages/Published';
import { RunPage } from './pages/Run';
import { RunsPage } from './pages/Runs';
import { SchedulesPage } from './pages/Schedules';
import { Link, useLocation } from './router';
import './styles.css';

type State = { kind: 'loading' } | { kind: 'signedOut'; message: string } | { kind: 'ready' };

function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    whenUnauthorized(() => {
      signOut();
      setState({
        kind: 'signedOut',
        message: 'Your session has ended; open a new sign-in link (`npx sluice studio`).',
      });
    });
    (async () => {
      const config = (await (await fetch('/studio/config.json')).json()) as StudioConfig;
      const result = await signIn(config);
      setState(result.signedIn ? { kind: 'ready' } : { kind: 'signedOut', message: result.message });
    })().catch((err: Error) => setState({ kind: 'signedOut', message: `Sign-in failed: ${err.message}` }));
  }, []);
  if (state.kind === 'loading') return <p class="center">Signing in…</p>;
  if (state.kind === 'signedOut') {
    return (
      <main class="center signin" id="main">
        <h1>Sluice Studio</h1>
        <p role="alert">{state.message}</p>
      </main>
    );
  }
  return <Shell />;
}

const NAV: [string, string][] = [
  ['/', 'Runs'],
  ['/published', 'Published pipelines'],
  ['/schedules', 'Schedules'],
  ['/models', 'Models'],
  ['/datasets', 'Datasets'],
  ['/datastores', 'Datastores'],
  ['/compute', 'Compute'],
];

function Shell() {
  const { path, query } = useLocation();
  const section = path === '/' || path.startsWith('/runs') || path === '/compare' ? '/' : `/${path.split('/')[1]}`;
  let page;
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) page = <RunPage runId={decodeURIComponent(run[1])} step={query.get('step') ?? undefined} />;
  else if (path === '/' || path === '/runs') page = <RunsPage query={query} />;
  else if (path === '/compare')
    page = (
      <ComparePage
        ids={(query.get('runs') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)}
      />
    );
  else if (path.startsWith('/published/endpoints/')) page = <PublishedPage endpoint={path.split('/')[3]} />;
  else if (path.startsWith('/published')) page = <PublishedPage id={path.split('/')[2]} />;
  else if (path === '/schedules') page = <SchedulesPage />;
  else if (path === '/models') page = <ModelsPage />;
  else if (path === '/datasets') page = <DatasetsPage />;
  else if (path === '/datastores' || path.startsWith('/datastores/'))
    page = (
      <DatastoresPage
        name={path.split('/')[2] ? decodeURIComponent(path.split('/')[2]) : undefined}
        prefix={query.get('prefix') ?? ''}
      />
    );
  else if (path === '/compute') page = <ComputePage />;
  else
    page = (
      <p>
        No page here. <Link href="/">Go to the runs</Link>.
      </p>
    );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Sluice Studio</span>
        <nav aria-label="Sections">
          {NAV.map(([href, label]) => (
            <Link href={href} key={href} aria-current={section === href ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

// A run page opened with a session already stored asks for the run at once, beside the config and sign-in.
const opened = /^\/studio\/runs\/([^/]+)$/.exec(location.pathname);
if (opened && !new URLSearchParams(location.search).has('signin')) {
  try {
    prefetch(`runs/${encodeURIComponent(decodeURIComponent(opened[1]))}`); // the path RunPage asks for
  } catch {
    /* a malformed address: the page says so */
  }
}

render(<App />, document.getElementById('app') as HTMLElement);
