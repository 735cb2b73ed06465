// Browsers load no module from a file opened from disk (this classic script they do load),
// nor fetch the words the modules would: say how to open the site instead, in the reader's
// language (?lang=ko, else the browser's languages). The build writes the translations of
// what this script says into WORDS, from the same catalogs as every page's words.
const WORDS = {};
if (location.protocol === "file:") {
  const codeOf = (tag) => String(tag || "").toLowerCase().split(/[-_]/)[0];
  const asked = new URLSearchParams(location.search).get("lang");
  const language = [asked, ...(navigator.languages || [])].map(codeOf)
    .find((code) => code === "en" || code in WORDS);
  const say = (message) => (WORDS[language] || {})[message] || message;
  document.getElementById("status").textContent = say("Open this page through a web server: "
    + "`autograd-mini site serve FOLDER`, then the address it prints.");
}
