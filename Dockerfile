# The rsgeo program (CLI + HTTP API) for docker compose's api service: `rsgeo serve` against RSGEO_DATABASE_URL.
#
# Build stage: Ubuntu's own .NET 10 SDK package builds and tests nothing but publishes the CLI self-contained;
# ONNX Runtime's native library comes with its NuGet package (linux-x64 only).
FROM ubuntu:25.10 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends dotnet-sdk-10.0 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props RsGeoSearch.sln ./
COPY src/ src/
RUN dotnet publish src/RsGeoSearch.Cli/RsGeoSearch.Cli.csproj -c Release -r linux-x64 --self-contained true -o /app -nologo
COPY models/ /app/models/

# Run stage: Debian 12 with GDAL 3.6 (libgdal32, the C API the Raster stage binds); .NET is self-contained.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app rsgeo
COPY --from=build /app /app
ENV RSGEO_MODELS_PATH=/app/models \
    ASPNETCORE_URLS=http://+:8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER rsgeo
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["/app/rsgeo"]
CMD ["serve"]
