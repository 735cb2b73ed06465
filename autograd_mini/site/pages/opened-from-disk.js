// Browsers load no module from a file opened from disk (this classic script they do load):
// say how to open the site instead.
if (location.protocol === "file:") {
  document.getElementById("status").textContent = "Open this page through a web server: "
    + "`autograd-mini site serve FOLDER`, then the address it prints.";
}
