import articles.images
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_add_preview_link'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MediaImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.ImageField(height_field='height', help_text='JPEG, PNG, GIF or WebP. Smaller copies are made automatically.', upload_to='library/%Y/%m/', validators=[articles.images.validate_image_field], verbose_name='image', width_field='width')),
                ('alt_text', models.CharField(help_text='What the image shows, for readers who cannot see it (screen readers, slow networks).', max_length=300, verbose_name='alternative text')),
                ('caption', models.CharField(blank=True, max_length=300, verbose_name='caption')),
                ('credit', models.CharField(blank=True, help_text='Who took or owns the image, e.g. 摄影：李四.', max_length=200, verbose_name='credit')),
                ('width', models.PositiveIntegerField(editable=False, null=True, verbose_name='width')),
                ('height', models.PositiveIntegerField(editable=False, null=True, verbose_name='height')),
                ('renditions', models.JSONField(blank=True, default=dict, editable=False, verbose_name='smaller copies')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='uploaded')),
                ('uploaded_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'image',
                'verbose_name_plural': 'media library',
                'ordering': ['-uploaded_at', '-id'],
            },
        ),
    ]
