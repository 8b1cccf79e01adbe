// Prettier for Odoo XML; the plugin is resolved from pre-commit's node environment.
module.exports = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    xmlWhitespaceSensitivity: "preserve",
    printWidth: 88,
    overrides: [{files: "*.xml", options: {parser: "xml"}}],
};
