using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Ogc;

/// <summary>Small server-rendered HTML pages for the OGC API (no scripts): a title, links, a table.</summary>
internal sealed class Html
{
    private readonly StringBuilder body = new();

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public Html H(int level, string text) { body.Append($"<h{level}>{E(text)}</h{level}>\n"); return this; }
    public Html P(string text) { body.Append($"<p>{E(text)}</p>\n"); return this; }
    public Html Raw(string html) { body.Append(html); return this; }

    public Html LinkList(IEnumerable<(string Href, string Text)> links)
    {
        body.Append("<ul>\n");
        foreach (var (href, text) in links) body.Append($"<li><a href=\"{E(href)}\">{E(text)}</a></li>\n");
        body.Append("</ul>\n");
        return this;
    }

    public Html Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rowsHtml)
    {
        body.Append("<table>\n<tr>");
        foreach (var h in header) body.Append($"<th>{E(h)}</th>");
        body.Append("</tr>\n");
        foreach (var row in rowsHtml)
        {
            body.Append("<tr>");
            foreach (var cell in row) body.Append($"<td>{cell}</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    public IResult Result(string title) => Results.Content(
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>" +
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>" +
        $"</head><body>\n{body}</body></html>\n", "text/html; charset=utf-8");
}
