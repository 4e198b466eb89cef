// Code that verifies hookrelay's signatures with the official Standard Webhooks libraries
// (JavaScript, Python, Go), filled in with the endpoint's signing secret once it is revealed.
import { h } from '../lib/dom.js';

const PLACEHOLDER = 'whsec_…';

const SNIPPETS = {
  JavaScript: {
    install: 'npm install standardwebhooks',
    code: (secret) => `import express from "express";
import { Webhook } from "standardwebhooks";

const wh = new Webhook("${secret}");
const app = express();

// The raw body: the signature covers the exact bytes sent.
app.post("/webhooks", express.text({ type: "application/json" }), (req, res) => {
  try {
    const event = wh.verify(req.body, req.headers); // throws when the signature is wrong or stale
    console.log(event.type, event.data);
    res.sendStatus(204);
  } catch {
    res.sendStatus(400);
  }
});

app.listen(3000);`,
  },
  Python: {
    install: 'pip install standardwebhooks',
    code: (secret) => `from flask import Flask, request
from standardwebhooks.webhooks import Webhook

wh = Webhook("${secret}")
app = Flask(__name__)

@app.post("/webhooks")
def webhooks():
    try:
        # the raw body: the signature covers the exact bytes sent
        event = wh.verify(request.get_data(), dict(request.headers))
    except Exception:
        return "", 400
    print(event["type"], event["data"])
    return "", 204`,
  },
  Go: {
    install: 'go get github.com/standard-webhooks/standard-webhooks/libraries/go',
    code: (secret) => `package main

import (
	"io"
	"net/http"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func main() {
	wh, err := standardwebhooks.NewWebhook("${secret}")
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		payload, err := io.ReadAll(r.Body) // the raw body: the signature covers the exact bytes sent
		if err != nil || wh.Verify(payload, r.Header) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	http.ListenAndServe(":3000", nil)
}`,
  },
};

/** Returns { panel, setSecret }: tabs per language; setSecret(secret) fills every snippet in. */
export function signatureSnippets() {
  let secret = PLACEHOLDER;
  let current = 'JavaScript';
  const install = h('pre', { class: 'snippet-install' });
  const code = h('pre', { class: 'snippet', id: 'snippet-code', tabindex: '0' });
  const note = h('p', { class: 'hint' });
  const tabs = Object.keys(SNIPPETS).map((language) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        class: 'tab',
        dataset: { language },
        onclick: () => {
          current = language;
          render();
        },
      },
      language,
    ),
  );
  const render = () => {
    for (const tab of tabs) tab.setAttribute('aria-selected', String(tab.dataset.language === current));
    install.textContent = SNIPPETS[current].install;
    code.textContent = SNIPPETS[current].code(secret);
    note.textContent =
      secret === PLACEHOLDER
        ? 'Reveal the signing secret to fill it in. Keep it out of source control in real code (an environment variable).'
        : 'Filled in with this endpoint’s current secret. Keep it out of source control in real code (an environment variable).';
  };
  render();
  const panel = h(
    'section',
    { class: 'panel snippets', id: 'signature-snippets' },
    h('h2', {}, 'Verify signatures'),
    h('p', { class: 'sub' }, 'Every request carries webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).'),
    h('div', { role: 'tablist', class: 'row', 'aria-label': 'Language' }, tabs),
    install,
    code,
    note,
  );
  return {
    panel,
    setSecret(value) {
      secret = value;
      render();
    },
  };
}
