import { Route, Router, Switch } from 'wouter-preact';
import { SessionProvider, useSession } from './auth/session';
import { SignInDialog } from './auth/sign-in-dialog';
import { basePath } from './base';
import { Header } from './components/header';
import { SignInRequired } from './components/sign-in-required';
import { I18nProvider } from './i18n/i18n';
import { DeploymentsPage } from './pages/deployments/deployments-page';
import { EnvironmentsPage } from './pages/environments/environments-page';
import { NotFound } from './pages/not-found';
import { PipelinePage } from './pages/pipeline/pipeline-page';
import { PipelinesPage } from './pages/pipelines/pipelines-page';

/** The routes the server answers with this page (see packages/server/src/routes/dashboard.ts). */
function Routes() {
  const session = useSession();
  if (session.needsSignIn) return <SignInRequired />;
  return (
    <Switch key={session.epoch}>
      <Route path="/" component={PipelinesPage} />
      <Route path="/pipelines" component={PipelinesPage} />
      <Route path="/pipelines/:id">{(params) => <PipelinePage id={params.id} />}</Route>
      <Route path="/environments" component={EnvironmentsPage} />
      <Route path="/deployments" component={DeploymentsPage} />
      <Route component={NotFound} />
    </Switch>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Router base={basePath}>
        <SessionProvider>
          <Header />
          <main class="main">
            <Routes />
          </main>
          <SignInDialog />
        </SessionProvider>
      </Router>
    </I18nProvider>
  );
}
