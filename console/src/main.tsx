import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { loadConfig } from "./session/config.ts";
import { ToastProvider } from "./components/toast.tsx";
import "./styles.css";

loadConfig().then((config) => {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <ToastProvider>
        <App config={config} />
      </ToastProvider>
    </StrictMode>,
  );
});
