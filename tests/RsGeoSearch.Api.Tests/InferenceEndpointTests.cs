using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace RsGeoSearch.Api.Tests;

public sealed class InferenceEndpointTests : ApiTestBase
{
    /// <summary>A real PNG: a chip thumbnail rendered by the catalogue.</summary>
    private byte[] png = [];

    [OneTimeSetUp]
    public async Task RenderAsync()
    {
        var id = Features(await GetJsonAsync("/search?limit=1"))[0].GetProperty("id").GetInt64();
        png = await Client.GetByteArrayAsync($"/chips/{id}.png?size=64");
    }

    private static MultipartFormDataContent Form(byte[]? image, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        if (image is not null)
        {
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "image", "chip.png");
        }
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, HttpContent content, string? key = ApiKey, bool bearer = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (key is not null)
        {
            if (bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            else request.Headers.Add("X-API-Key", key);
        }
        return await Client.SendAsync(request);
    }

    [Test]
    public async Task Classify_ranks_labels()
    {
        using var response = await PostAsync("/classify", Form(png, ("labels", "farmland,forest"), ("labels", "airport")));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var labels = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("labels").EnumerateArray().ToList();
        Assert.That(labels.Select(l => l.GetProperty("label").GetString()), Is.EquivalentTo(new[] { "farmland", "forest", "airport" }));
        Assert.That(labels.Select(l => l.GetProperty("score").GetDouble()), Is.Ordered.Descending);
    }

    [Test]
    public async Task Similarity_ranks_texts_with_bearer_key()
    {
        using var response = await PostAsync("/similarity", Form(png, ("texts", "many green fields, a road"), ("texts", "a harbour with boats")), bearer: true);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var texts = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("texts").EnumerateArray().Select(t => t.GetProperty("text").GetString()).ToList();
        Assert.That(texts, Is.EquivalentTo(new[] { "many green fields, a road", "a harbour with boats" }), "commas inside a caption are kept");
    }

    [Test]
    public async Task Embed_returns_a_unit_vector()
    {
        using var response = await PostAsync("/embed", Form(png));
        var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var v = doc.GetProperty("embedding").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.That(v, Has.Count.EqualTo(doc.GetProperty("dimension").GetInt32()).And.Count.GreaterThan(0));
        Assert.That(Math.Sqrt(v.Sum(x => x * x)), Is.EqualTo(1).Within(1e-3));
    }

    [Test]
    public async Task Missing_or_wrong_api_key_is_401()
    {
        using var none = await PostAsync("/embed", Form(png), key: null);
        await AssertProblemAsync(none, 401);
        Assert.That(none.Headers.WwwAuthenticate.ToString(), Does.Contain("Bearer"));
        using var wrong = await PostAsync("/classify", Form(png, ("labels", "forest")), key: "wrong");
        var problem = await AssertProblemAsync(wrong, 401);
        Assert.That(problem.ToString(), Does.Not.Contain("wrong").And.Not.Contain(ApiKey), "keys are never echoed");
    }

    [Test]
    public async Task Oversized_upload_is_413()
    {
        var big = new byte[Options.MaxUploadBytes + 10];
        png.CopyTo(big, 0);
        using var response = await PostAsync("/embed", Form(big));
        await AssertProblemAsync(response, 413);
        using var huge = await PostAsync("/embed", Form(new byte[Options.MaxUploadBytes * 40]));
        await AssertProblemAsync(huge, 413);
    }

    [Test]
    public async Task Non_image_upload_is_400()
    {
        using var response = await PostAsync("/embed", Form(Encoding.UTF8.GetBytes("#!/bin/sh\nrm -rf /\n")));
        await AssertProblemAsync(response, 400, "image");
        using var empty = await PostAsync("/embed", Form([]));
        await AssertProblemAsync(empty, 400, "image");
    }

    [Test]
    public async Task Malformed_requests_are_400()
    {
        using var notMultipart = await PostAsync("/embed", new StringContent("{\"image\": 1}", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(notMultipart, 400, "image");
        using var noImage = await PostAsync("/classify", Form(null, ("labels", "forest")));
        await AssertProblemAsync(noImage, 400, "image");
        using var noLabels = await PostAsync("/classify", Form(png));
        await AssertProblemAsync(noLabels, 400, "labels");
        using var badTemplate = await PostAsync("/classify", Form(png, ("labels", "forest"), ("template", "no placeholder")));
        await AssertProblemAsync(badTemplate, 400, "template");
        using var badModel = await PostAsync("/embed", Form(png, ("model", "no-such-model")));
        await AssertProblemAsync(badModel, 400, "model");
        var broken = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nabc", Encoding.UTF8);
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using var truncated = await PostAsync("/embed", broken);
        await AssertProblemAsync(truncated, 400);
    }
}
