# the `tf` variant: written by `mlstack image` (mlstack 0.1.0); edit the spec, not this file.
FROM seed-base
LABEL org.opencontainers.image.title="seed-tf" \
      org.opencontainers.image.description="TensorFlow 2.9 only" \
      org.opencontainers.image.base.name="seed-base" \
      org.opencontainers.image.source="https://example.org/seed" \
      io.mlstack.variant="tf"
ENV TF_FORCE_GPU_ALLOW_GROWTH="true"
COPY requirements/tf.txt /opt/mlstack/requirements/tf.txt
RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf \
    --mount=type=secret,id=pipcert,target=/run/secrets/pipcert \
    if [ -s /run/secrets/pipcert ]; then export PIP_CERT=/run/secrets/pipcert; fi && \
    /opt/venv/bin/python -m pip install --no-cache-dir --disable-pip-version-check \
        -c /opt/mlstack/constraints.txt \
        -r /opt/mlstack/requirements/tf.txt
# A broken environment fails the build here.
RUN ["/opt/mlstack/bin/mlstack", "check"]
